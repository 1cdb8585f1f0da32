// tsmcp/stdio: newline-delimited JSON over a child process's stdio (Node only).
export { StdioServerTransport } from './server.js';
export type { StdioServerTransportOptions } from './server.js';
export { StdioClientTransport, getDefaultEnvironment } from './client.js';
export type { StdioClientTransportOptions } from './client.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './framer.js';
