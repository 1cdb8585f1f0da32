// Before: the official SDK v2 (@modelcontextprotocol/server and /client): a server factory behind
// `createMcpHandler`, called here through the client's `fetch` (no port).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import * as z from 'zod';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'calc', version: '1.0.0' }); // built for every request
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return server;
});

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
    fetch: (input, init) => handler.fetch(new Request(input, init)),
  }),
);
const result = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
console.log((result.content as { text: string }[])[0]?.text); // 42
await client.close();
