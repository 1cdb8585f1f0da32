// Express: mount the handler on a route (express.json() in front is fine: its parsed body is used).
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Client } from 'tsmcp/client';
import { createExpressHandler } from 'tsmcp/express';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('ping', {}, () => ({ content: [{ type: 'text', text: 'pong' }] }));

const app = express();
app.use(express.json());
app.all('/mcp', createExpressHandler(server)); // GET, POST and DELETE
const http = app.listen(0, '127.0.0.1');
await new Promise((resolve) => http.once('listening', resolve));

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`));
console.log(((await client.callTool('ping')).content[0] as { text: string }).text); // pong
await client.close();
http.closeAllConnections();
http.close();
