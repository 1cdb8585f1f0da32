// server.ts: a first MCP server. It only builds and exports the server; `tsmcp serve` connects it
// (stdio by default, or HTTP on 127.0.0.1 with --http <port>).
import * as z from 'zod';
import { McpServer, ToolError } from 'tsmcp/server';

const server = new McpServer({ name: 'first', version: '1.0.0' });

server.registerTool(
  'add',
  {
    description: 'Adds two numbers',
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    outputSchema: z.object({ sum: z.number() }),
  },
  async ({ a, b }) => {
    if (!Number.isFinite(a + b)) throw new ToolError('The sum is not a finite number: use smaller numbers');
    return { structuredContent: { sum: a + b } }; // a text copy is added for clients that want text
  },
);

server.registerResource('motd', 'text://motd', { mimeType: 'text/plain' }, (uri) => ({
  contents: [{ uri, text: 'Hello from your first MCP server' }],
}));

export default server;
