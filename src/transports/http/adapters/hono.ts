// tsmcp/hono: mount MCP on a Hono app through the web-standard front (works on every Hono runtime).
import { createWebHandler, type WebHandlerOptions } from '../web.js';
import type { ServerLike } from '../../shared/server-of.js';

/** The part of Hono's Context this adapter uses. */
export interface HonoContextLike {
  req: { raw: Request };
}

/**
 * A Hono handler serving MCP (both eras).
 * @example app.all('/mcp', mcpHono(server));
 */
export function mcpHono(server: ServerLike, options?: WebHandlerOptions): (c: HonoContextLike) => Promise<Response> {
  const handler = createWebHandler(server, options);
  return Object.assign((c: HonoContextLike) => handler(c.req.raw), { core: handler.core });
}
