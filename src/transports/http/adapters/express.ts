// tsmcp/express: mount MCP on an Express app. Express hands over node:http objects, so this is the
// native front; a body already parsed by express.json() is used as is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeHandler, type NodeHandlerOptions } from '../node.js';
import type { ServerLike } from '../../shared/server-of.js';

/**
 * Express middleware serving MCP (both eras) at the path it is mounted on.
 * @example app.all('/mcp', mcpExpress(server));
 */
export function mcpExpress(server: ServerLike, options?: NodeHandlerOptions): (req: IncomingMessage, res: ServerResponse, next?: unknown) => void {
  const handler = createNodeHandler(server, options);
  return Object.assign((req: IncomingMessage, res: ServerResponse) => handler(req, res), { core: handler.core });
}
