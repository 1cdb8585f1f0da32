/**
 * tsmcp/sse: the deprecated 2024-11-05 HTTP+SSE transport, for clients that speak nothing newer.
 * @module tsmcp/sse
 */
export { createSseHandler } from './server.js';
export type { SseNodeHandler, SseServerOptions } from './server.js';
