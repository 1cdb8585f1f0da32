// Standalone metadata endpoints, for when the MCP handler is mounted at its own path and never sees
// a request for `/.well-known/...`: mount one of these at the root (or at the metadata paths).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtectedResource } from './protected-resource.js';

// Public metadata without credentials: any origin may read it (browser-based clients discover through it).
const HEADERS = { 'content-type': 'application/json', 'access-control-allow-origin': '*' };

/**
 * A Fetch API handler serving the metadata of `rs` at its well-known paths (404 elsewhere).
 * @example app.get('/.well-known/*', (c) => metadataWebHandler(rs)(c.req.raw));
 */
export function metadataWebHandler(rs: ProtectedResource): (request: Request) => Response {
  return (request) => {
    const doc = request.method === 'GET' ? rs.metadataAt(new URL(request.url).pathname) : undefined;
    return doc === undefined ? new Response(null, { status: 404 }) : new Response(doc, { headers: HEADERS });
  };
}

/**
 * A node:http handler (and Express middleware) serving the metadata of `rs` at its well-known paths;
 * other requests go to `next` when given, else 404.
 * @example app.use(metadataNodeHandler(rs)); app.use('/mcp', createExpressHandler(server, { auth: rs }));
 */
export function metadataNodeHandler(
  rs: ProtectedResource,
): (req: IncomingMessage, res: ServerResponse, next?: () => void) => void {
  return (req, res, next) => {
    // Express rewrites `url` under a mount path; `originalUrl` is what the client asked for.
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const doc = req.method === 'GET' ? rs.metadataAt(url.split('?', 1)[0]!) : undefined;
    if (doc !== undefined) {
      res.writeHead(200, HEADERS);
      res.end(doc);
    } else if (next) next();
    else {
      res.writeHead(404);
      res.end();
    }
  };
}
