// Cloudflare Workers: export the handler as the Worker's `fetch`. One server per isolate serves every
// request; isolates come and go, so serve the stateless 2026-07-28 wire only (`legacy: false`: legacy
// sessions would live in one isolate's memory) and give every isolate the same requestState key.
// Run by Node, the exported `fetch` is driven by the tsmcp client directly.
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'hello', version: '1.0.0' });
server.registerTool('hello', {}, () => ({ content: [{ type: 'text', text: 'Hello from the edge' }] }));

const handler = createWebHandler(server, {
  legacy: false,
  allowedHosts: ['hello.example.workers.dev'], // the name the Worker is reached under
  remoteAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
});

export default { fetch: (request: Request) => handler(request) };

if (globalThis.navigator?.userAgent !== 'Cloudflare-Workers') {
  const client = new Client({ name: 'app', version: '1.0.0' });
  await client.connect(
    new StreamableHttpClientTransport('https://hello.example.workers.dev/mcp', {
      fetch: (input, init) => handler(new Request(input, init)),
    }),
  );
  console.log(client.era, ((await client.callTool('hello')).content[0] as { text: string }).text);
  await client.close();
}
