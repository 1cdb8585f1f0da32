// The DNS-rebinding defence: by default every front answers only to loopback Host names and loopback
// browser Origins, whatever address it listens on. A server reached under a public name lists it.
import { createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'public', version: '1.0.0' });
const handler = createWebHandler(server, {
  allowedHosts: ['mcp.example.com'], // also 'name:port', '*.example.com'; false only behind a proxy that checks Host
  allowedOrigins: ['https://app.example.com'], // browsers calling from these pages (requests without Origin pass)
  cors: { origin: 'https://app.example.com' }, // answer their preflights and expose the MCP headers
});

const post = (url: string, headers: Record<string, string> = {}) =>
  handler(
    new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: '{}',
    }),
  );

for (const [what, response] of [
  ['unlisted Host', await post('http://localhost/mcp')],
  ['foreign Origin', await post('https://mcp.example.com/mcp', { origin: 'https://evil.example' })],
  ['listed Host', await post('https://mcp.example.com/mcp')],
] as const) {
  console.log(what, response.status);
}
// unlisted Host 403   (the list replaces the loopback default)
// foreign Origin 403
// listed Host 400     (past the checks: `{}` is not a JSON-RPC request)
handler.core.close();
