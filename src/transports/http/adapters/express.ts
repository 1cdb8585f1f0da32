/**
 * tsmcp/express: mount MCP on an Express app. Express hands over node:http objects, so this is the
 * native front; a body already parsed by express.json() is used as is.
 * @module tsmcp/express
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpCore } from '../core.js';
import { createNodeHandler, type NodeHandlerOptions } from '../node.js';
import type { ServerLike } from '../../shared/server-of.js';

export type { NodeHandlerOptions, ServerLike };

/** Express middleware serving MCP; `core` is the endpoint's `HttpCore` (session count, `close()`). */
export type ExpressHandler = ((req: IncomingMessage, res: ServerResponse, next?: unknown) => void) & {
  readonly core: HttpCore;
};

/**
 * Express middleware serving MCP (both eras) at the path it is mounted on.
 * @example app.all('/mcp', createExpressHandler(server));
 */
export function createExpressHandler(server: ServerLike, options?: NodeHandlerOptions): ExpressHandler {
  const handler = createNodeHandler(server, options);
  return Object.assign((req: IncomingMessage, res: ServerResponse) => handler(req, res), { core: handler.core });
}

/** @deprecated Renamed `createExpressHandler` (the same function); this name stays as an alias. */
export const mcpExpress = createExpressHandler;
