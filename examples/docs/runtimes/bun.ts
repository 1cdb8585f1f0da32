// Bun: `Bun.serve` takes the web-standard handler as its `fetch`. Run with `bun run bun.ts`. Run by
// Node (as tsmcp's docs test does), the same handler is called directly with a Request.
import { createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

// With @types/bun installed, delete this declaration: Bun's own types describe the same calls.
declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): {
    url: URL;
    requestIP(request: Request): { address: string } | null;
  };
};

const server = new McpServer({ name: 'hello', version: '1.0.0' });
server.registerTool('hello', {}, () => ({ content: [{ type: 'text', text: 'Hello from the web handler' }] }));

let bun: ReturnType<typeof Bun.serve> | undefined;
const handler = createWebHandler(server, {
  remoteAddress: (request) => bun?.requestIP(request)?.address, // keys maxSessionsPerClient
});

if (typeof Bun !== 'undefined') {
  bun = Bun.serve({ hostname: '127.0.0.1', port: 3000, fetch: handler });
  console.log(`MCP at ${bun.url}mcp`);
} else {
  // One 2026-07-28 tools/call, as a client would POST it.
  const response = await handler(
    new Request('http://localhost:3000/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'hello',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'hello',
          arguments: {},
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    }),
  );
  const body = (await response.json()) as { result: { content: { text: string }[] } };
  console.log(response.status, body.result.content[0]?.text); // 200 Hello from the web handler
}
