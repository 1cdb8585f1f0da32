// The node:http front, and both protocol eras on one endpoint: a 2026-07-28 client (stateless POSTs)
// and a legacy client (an Mcp-Session-Id session) call the same server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('greet', { inputSchema: { type: 'object', properties: { name: { type: 'string' } } } }, (args) => ({
  content: [{ type: 'text', text: `Hello, ${String(args.name)}!` }],
}));

const handler = createNodeHandler(server); // every path; mount it where you like
const http = createServer(handler);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)); // loopback only
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

for (const version of ['auto', 'legacy'] as const) {
  const client = new Client({ name: 'app', version: '1.0.0' }, { version });
  await client.connect(new StreamableHttpClientTransport(url));
  const result = await client.callTool('greet', { name: 'Ada' });
  console.log(client.era, client.protocolVersion, (result.content[0] as { text: string }).text);
  await client.close(); // a legacy client ends its session with DELETE
}
console.log('legacy sessions left:', handler.core.sessionCount);

handler.core.close();
http.close();
