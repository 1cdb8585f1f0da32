// Deno: `Deno.serve` takes the web-standard handler. Run with `deno run --allow-net deno.ts` (tsmcp
// from npm: `import … from 'npm:tsmcp/http'`, or an import map). Run by Node, the handler is driven by
// the tsmcp client through a `fetch` that calls it directly.
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

// Deno's own types describe this; the declaration only lets the file type-check elsewhere.
declare const Deno: {
  serve(options: { hostname: string; port: number }, handler: (request: Request) => Promise<Response>): unknown;
};

const server = new McpServer({ name: 'hello', version: '1.0.0' });
server.registerTool('hello', {}, () => ({ content: [{ type: 'text', text: 'Hello from the web handler' }] }));
const handler = createWebHandler(server);

if (typeof Deno !== 'undefined') {
  Deno.serve({ hostname: '127.0.0.1', port: 8000 }, handler);
} else {
  const client = new Client({ name: 'app', version: '1.0.0' });
  await client.connect(
    new StreamableHttpClientTransport('http://127.0.0.1:8000/mcp', {
      fetch: (input, init) => handler(new Request(input, init)),
    }),
  );
  console.log(((await client.callTool('hello')).content[0] as { text: string }).text);
  await client.close();
}
