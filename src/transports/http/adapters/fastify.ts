/**
 * tsmcp/fastify: mount MCP on a Fastify route. The reply is hijacked and served by the native node
 * front; the body Fastify already parsed is used as is.
 * @module tsmcp/fastify
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpCore } from '../core.js';
import { createNodeHandler, type NodeHandlerOptions } from '../node.js';
import type { ServerLike } from '../../shared/server-of.js';

export type { NodeHandlerOptions, ServerLike };

/** The parts of Fastify's request and reply this adapter uses. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  body?: unknown;
}
export interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
}

/** A Fastify route handler serving MCP; `core` is the endpoint's `HttpCore` (session count, `close()`). */
export type FastifyHandler = ((request: FastifyRequestLike, reply: FastifyReplyLike) => void) & {
  readonly core: HttpCore;
};

/**
 * A Fastify route handler serving MCP (both eras). Register it for GET, POST and DELETE.
 * @example fastify.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: createFastifyHandler(server) });
 */
export function createFastifyHandler(server: ServerLike, options?: NodeHandlerOptions): FastifyHandler {
  const handler = createNodeHandler(server, options);
  return Object.assign(
    (request: FastifyRequestLike, reply: FastifyReplyLike) => {
      reply.hijack();
      if (request.body !== undefined) (request.raw as IncomingMessage & { body?: unknown }).body = request.body;
      handler(request.raw, reply.raw);
    },
    { core: handler.core },
  );
}

/** @deprecated Renamed `createFastifyHandler` (the same function); this name stays as an alias. */
export const mcpFastify = createFastifyHandler;
