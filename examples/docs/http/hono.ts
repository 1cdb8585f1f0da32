// Hono: the adapter goes through the web-standard front, so the same app runs on every Hono runtime
// (here Node, with @hono/node-server).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Client } from 'tsmcp/client';
import { createHonoHandler } from 'tsmcp/hono';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('ping', {}, () => ({ content: [{ type: 'text', text: 'pong' }] }));

const app = new Hono();
app.all('/mcp', createHonoHandler(server));

let close!: () => void;
const port = await new Promise<number>((resolve) => {
  const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  close = () => http.close();
});

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(new StreamableHttpClientTransport(`http://127.0.0.1:${port}/mcp`));
console.log(((await client.callTool('ping')).content[0] as { text: string }).text); // pong
await client.close();
close();
