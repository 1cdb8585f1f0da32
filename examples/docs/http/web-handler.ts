// The web-standard front: one `(Request) => Promise<Response>` for every runtime with Fetch API objects.
// Here the client's `fetch` calls the handler directly, so no port is opened at all.
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('greet', { inputSchema: { type: 'object', properties: { name: { type: 'string' } } } }, (args) => ({
  content: [{ type: 'text', text: `Hello, ${String(args.name)}!` }],
}));

const handler = createWebHandler(server); // Bun.serve({ fetch: handler }), Deno.serve(handler), a Worker's fetch…

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport('http://localhost/mcp', {
    fetch: (input, init) => handler(new Request(input, init)),
  }),
);
const result = await client.callTool('greet', { name: 'Ada' });
console.log(client.era, (result.content[0] as { text: string }).text); // modern Hello, Ada!
await client.close();
handler.core.close();
