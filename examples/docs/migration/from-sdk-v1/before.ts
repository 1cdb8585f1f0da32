// Before: a server and a client on the official SDK v1 (@modelcontextprotocol/sdk), in memory.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

const server = new McpServer({ name: 'calc', version: '1.0.0' });
server.registerTool(
  'add',
  {
    description: 'Adds two numbers',
    inputSchema: { a: z.number(), b: z.number() }, // a raw shape
    outputSchema: { sum: z.number() },
  },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
);

const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide); // once: a second connect() throws "Already connected"
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);

const result = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
console.log(result.structuredContent); // { sum: 42 }
await client.close();
await server.close();
