/**
 * tsmcp/middleware: built-in middleware for `server.use()` and `client.use()` (runtime-neutral).
 * @module tsmcp/middleware
 */
export { requestLogger } from './request-logger.js';
export type { RequestLogEntry, RequestLogger, RequestLoggerOptions } from './request-logger.js';
