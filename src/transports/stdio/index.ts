/**
 * tsmcp/stdio: newline-delimited JSON over a child process's stdio (Node only).
 * @module tsmcp/stdio
 */
export { StdioServerTransport } from './server.js';
export type { StdioServerTransportOptions } from './server.js';
export { ServerExitError, StdioClientTransport, getDefaultEnvironment } from './client.js';
export type { StdioClientTransportOptions, StdioRestartOptions } from './client.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './framer.js';
