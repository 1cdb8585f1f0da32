// Fastify: register the handler for GET, POST and DELETE; it takes over the reply (Fastify's parsed
// body is used as is).
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Client } from 'tsmcp/client';
import { createFastifyHandler } from 'tsmcp/fastify';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('ping', {}, () => ({ content: [{ type: 'text', text: 'pong' }] }));

const app = Fastify();
app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: createFastifyHandler(server) });
await app.listen({ port: 0, host: '127.0.0.1' });

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`),
);
console.log(((await client.callTool('ping')).content[0] as { text: string }).text); // pong
await client.close();
await app.close();
