// tsmcp/auth: MCP authorization, runtime-neutral. The resource server (protect an HTTP MCP server).
export * from './resource-server/index.js';
