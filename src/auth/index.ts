/**
 * tsmcp/auth: MCP authorization, runtime-neutral. The resource server (protect an HTTP MCP server) and the
 * OAuth 2.1 client (the HTTP client transport's `auth` option).
 * @module tsmcp/auth
 */
export * from './client/index.js';
export * from './resource-server/index.js';
