// Behind a reverse proxy or load balancer: list the public name the proxy forwards (Host), take the
// client's address from the header your proxy sets (trust it only from the proxy), and keep the
// bounds. Here the proxy is played by a fetch that adds the forwarded header.
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'behind-proxy', version: '1.0.0' });
server.registerTool('where', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: `from ${ctx.identity.remoteAddress}` }],
}));

const handler = createWebHandler(server, {
  allowedHosts: ['mcp.example.com'],
  // The proxy appends the client's address last; earlier entries come from the client and prove nothing.
  remoteAddress: (request) => request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim(),
  maxBodyBytes: 1024 * 1024, // 413 beyond (default 4 MiB)
  keepAliveMs: 10_000, // SSE keep-alive comments under the proxy's idle timeout (default 15 s)
  maxSessionsPerClient: 50, // legacy sessions per client address (default 1000)
});

const proxy = (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  request.headers.set('x-forwarded-for', '203.0.113.7');
  return handler(request);
};
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(new StreamableHttpClientTransport('https://mcp.example.com/mcp', { fetch: proxy }));
console.log(((await client.callTool('where')).content[0] as { text: string }).text); // from 203.0.113.7
await client.close();
handler.core.close();
