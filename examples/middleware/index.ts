// docs/middleware.md, runnable: a server with the request logger and a sign-in guard, a client that
// propagates a trace id in `_meta`, and a fetch middleware that adds a header to every HTTP exchange.
import { Client, type ClientMiddleware, type FetchMiddleware } from '../../src/entries/client.js';
import { requestLogger } from '../../src/middleware/index.js';
import { ErrorCode, McpError } from '../../src/index.js';
import { McpServer, type Middleware } from '../../src/entries/server.js';

/** Refuse tool calls from anonymous callers (the principal comes from the transport, never from `_meta`). */
export const requireSignIn: Middleware = async (req, next) => {
  if (req.method === 'tools/call' && req.principal === undefined)
    throw new McpError(ErrorCode.InvalidRequest, 'Sign in first');
  return next();
};

/** Put a trace id into every outgoing request's `_meta` (a vendor key: MCP's own prefixes are reserved). */
export function propagateTrace(traceId: () => string): ClientMiddleware {
  return (req, next) => {
    req.options = { ...req.options, meta: { ...req.options.meta, 'com.example/trace': traceId() } };
    return next();
  };
}

/** Add a tenant header to every HTTP exchange of the client transport. */
export const tenantHeader: FetchMiddleware = (input, init, next) =>
  next(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-tenant': 'acme' } });

/** The example server: one tool that answers with the trace id it received. */
export function createServer(log: (line: string) => void): McpServer {
  const server = new McpServer({ name: 'middleware-example', version: '1.0.0' });
  server.registerTool('whoami', {}, (_args, ctx) => ({
    content: [{ type: 'text', text: `trace ${String(ctx.meta['com.example/trace'])}` }],
  }));
  server.use(requestLogger({ log })).use(requireSignIn);
  return server;
}

/** The example client: logs its own requests and propagates a trace id. */
export function createClient(log: (line: string) => void): Client {
  return new Client({ name: 'middleware-example-client', version: '1.0.0' })
    .use(requestLogger({ log }))
    .use(propagateTrace(() => 't-42'));
}
