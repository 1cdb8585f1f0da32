// Test helpers for the resource server: an MCP server behind `auth` on either front (127.0.0.1,
// ephemeral port), and raw 2026-07-28 calls that show the status and the challenge.
import { McpServer } from '../../src/entries/server.js';
import type { ProtectedResource } from '../../src/auth/index.js';
import type { HttpServerOptions } from '../../src/transports/http/core.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { listenNode, listenWeb } from '../helpers/listen.js';

export type Front = 'node' | 'web';

/** A server with `whoami` (echoes ctx.identity.auth) and `admin`; `setup` runs on it before serving. */
export function authedServer(setup?: (s: McpServer) => void): McpServer {
  const s = new McpServer({ name: 'rs', version: '1' });
  s.registerTool('whoami', { inputSchema: { type: 'object' } }, (_a, ctx) => ({
    content: [{ type: 'text', text: JSON.stringify({ ...ctx.identity.auth, token: undefined }) }],
  }));
  s.registerTool('admin', { inputSchema: { type: 'object' } }, () => ({ content: [{ type: 'text', text: 'ok' }] }));
  setup?.(s);
  return s;
}

/** Serve `server` on `front` at the root of 127.0.0.1:port; `rs` is built once the origin is known. */
export async function serveAuthed(
  front: Front,
  server: McpServer,
  rs: (origin: string) => ProtectedResource,
  options: HttpServerOptions = {},
): Promise<{ origin: string; rs: ProtectedResource }> {
  let handler: ((req: never, res: never) => unknown) | undefined;
  const port =
    front === 'node'
      ? await listenNode((req, res) => (handler as (a: typeof req, b: typeof res) => void)(req, res))
      : await listenWeb((r) => (handler as (a: Request) => Promise<Response>)(r));
  const origin = `http://127.0.0.1:${port}`;
  const built = rs(origin);
  handler = (front === 'node'
    ? createNodeHandler(server, { ...options, auth: built })
    : createWebHandler(server, { ...options, auth: built })) as unknown as typeof handler;
  return { origin, rs: built };
}

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** POST a 2026-07-28 `tools/call` with `authorization` (when given); the status, challenge and body. */
export async function callTool(
  url: string,
  name: string,
  authorization?: string,
): Promise<{
  status: number;
  challenge: string | null;
  body: { result?: { content: { text: string }[] }; error?: { code: number; data?: unknown } };
}> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': name,
  };
  if (authorization !== undefined) headers.authorization = authorization;
  const r = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: META, name, arguments: {} } }),
  });
  return { status: r.status, challenge: r.headers.get('www-authenticate'), body: (await r.json()) as never };
}

/** POST a 2026-07-28 `tools/list`; the names listed (or the status when refused). */
export async function listTools(url: string, authorization: string): Promise<string[] | number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/list',
      authorization,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }),
  });
  if (r.status !== 200) return r.status;
  return ((await r.json()) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
}
