// After: the same server and client on tsmcp.
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';
import * as z from 'zod';

const server = new McpServer({ name: 'calc', version: '1.0.0' });
server.registerTool(
  'add',
  {
    description: 'Adds two numbers',
    inputSchema: z.object({ a: z.number(), b: z.number() }), // a schema, not a raw shape
    outputSchema: z.object({ sum: z.number() }),
  },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide); // one more connection per call: one server, many clients
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);

const result = await client.callTool('add', { a: 20, b: 22 });
console.log(result.structuredContent); // { sum: 42 }
await client.close();
