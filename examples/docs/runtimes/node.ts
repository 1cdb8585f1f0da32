// Node: the native node:http front (no Web Request/Response objects on the hot path). Bind to loopback
// unless the server is meant to be reached from other machines (see docs/deployment.md).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'hello', version: '1.0.0' });
server.registerTool('hello', {}, () => ({ content: [{ type: 'text', text: `Hello from Node ${process.version}` }] }));

const http = createServer(createNodeHandler(server));
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1'); // port 0: any free port
await new Promise((resolve) => http.once('listening', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(new StreamableHttpClientTransport(url));
console.log(((await client.callTool('hello')).content[0] as { text: string }).text);
await client.close();
http.close();
