// The client transport: extra headers, a fetch middleware around every exchange, and what a call
// to something that is not an MCP endpoint reports.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'tsmcp/client';
import { type FetchMiddleware, StreamableHttpClientTransport } from 'tsmcp/http';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'echo-headers', version: '1.0.0' });
server.registerTool('whoami', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: `tenant ${ctx.identity.header?.('x-tenant')}` }],
}));
const http = createServer(createNodeHandler(server));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

let exchanges = 0;
const count: FetchMiddleware = (input, init, next) => (exchanges++, next(input, init));

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport(url, {
    headers: { 'x-tenant': 'acme' }, // or a function returning them (e.g. a fresh token)
    fetchMiddleware: [count],
    maxMessageBytes: 1024 * 1024, // the largest answer accepted
  }),
);
console.log(((await client.callTool('whoami')).content[0] as { text: string }).text); // tenant acme
console.log('HTTP exchanges so far:', exchanges > 0);
await client.close();
http.close();
