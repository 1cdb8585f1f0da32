// After: tsmcp. One server instance serves every request of the endpoint (no factory), and the same
// endpoint keeps legacy sessions for 2025-era clients.
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';
import * as z from 'zod';

const server = new McpServer({ name: 'calc', version: '1.0.0' }); // built once
server.registerTool(
  'add',
  { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
);
const handler = createWebHandler(server); // on node:http: createNodeHandler(server) from tsmcp/node

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport('http://localhost/mcp', {
    fetch: (input, init) => handler(new Request(input, init)),
  }),
);
const result = await client.callTool('add', { a: 20, b: 22 });
console.log((result.content[0] as { text: string }).text); // 42
await client.close();
handler.core.close();
