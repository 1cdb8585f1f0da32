/**
 * tsmcp/hono: mount MCP on a Hono app through the web-standard front (works on every Hono runtime).
 * @module tsmcp/hono
 */
import type { HttpCore } from '../core.js';
import { createWebHandler, type WebHandlerOptions } from '../web.js';
import type { ServerLike } from '../../shared/server-of.js';

export type { ServerLike, WebHandlerOptions };

/** The part of Hono's Context this adapter uses. */
export interface HonoContextLike {
  req: { raw: Request };
}

/** A Hono handler serving MCP; `core` is the endpoint's `HttpCore` (session count, `close()`). */
export type HonoHandler = ((c: HonoContextLike) => Promise<Response>) & { readonly core: HttpCore };

/**
 * A Hono handler serving MCP (both eras).
 * @example app.all('/mcp', createHonoHandler(server));
 */
export function createHonoHandler(server: ServerLike, options?: WebHandlerOptions): HonoHandler {
  const handler = createWebHandler(server, options);
  return Object.assign((c: HonoContextLike) => handler(c.req.raw), { core: handler.core });
}

/** @deprecated Renamed `createHonoHandler` (the same function); this name stays as an alias. */
export const mcpHono = createHonoHandler;
