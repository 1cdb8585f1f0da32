// After: the same server and client on Streamable HTTP: same McpServer, same Client, other transport.
import { createServer } from 'node:http';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('greet', { inputSchema: { type: 'object', properties: { name: { type: 'string' } } } }, (a) => ({
  content: [{ type: 'text', text: `Hello, ${String(a.name)}!` }],
}));

const http = createServer(createNodeHandler(server)); // both eras on one endpoint, Origin/Host checked
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
);
const r = await client.callTool('greet', { name: 'Ada' });
console.log((r.content[0] as { text: string }).text);
await client.close();
http.closeAllConnections();
http.close();
