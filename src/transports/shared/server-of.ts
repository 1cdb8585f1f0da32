// Server fronts (HTTP, HTTP+SSE, WebSocket) accept either the low-level Server or an McpServer.
import type { Server } from '../../server/server.js';

export type ServerLike = Server | { readonly server: Server };

export function serverOf(s: ServerLike): Server {
  return 'server' in s && typeof s.server === 'object' ? s.server : (s as Server);
}
