// Server fronts (HTTP, HTTP+SSE, WebSocket) accept either the low-level Server or an McpServer.
import type { Server } from '../../server/server.js';

/** What the HTTP, SSE and WebSocket fronts serve: a low-level `Server`, or an `McpServer` (its `.server`). */
export type ServerLike = Server | { readonly server: Server };

/** The `Server` behind a `ServerLike`. @internal */
export function serverOf(s: ServerLike): Server {
  return 'server' in s && typeof s.server === 'object' ? s.server : (s as Server);
}
