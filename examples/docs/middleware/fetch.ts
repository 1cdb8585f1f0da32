import { createServer } from 'node:http';
import { Client } from 'tsmcp/client';
import { type FetchMiddleware, StreamableHttpClientTransport } from 'tsmcp/http';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer } from 'tsmcp/server';

export const tenantHeader: FetchMiddleware = (input, init, next) =>
  next(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-tenant': 'acme' } });

const server = new McpServer({ name: 'demo', version: '1' });
server.registerTool('tenant', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: `${ctx.identity.header?.('x-tenant')}` }],
}));
const http = createServer(createNodeHandler(server)).listen(0, '127.0.0.1');
await new Promise((resolve) => http.once('listening', resolve));
const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;

const client = new Client({ name: 'app', version: '1' });
await client.connect(new StreamableHttpClientTransport(url, { fetchMiddleware: [tenantHeader] }));
console.log((await client.callTool('tenant')).content); // [{ type: 'text', text: 'acme' }]
await client.close();
http.close();
