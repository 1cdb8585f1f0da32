// tsmcp/server: the public server API. Its McpServer is the core one with the built-in extension's
// options as sugar (see ../extensions/tasks/bundled-server.ts), so that module's exports are re-exported whole.
export * from '../extensions/tasks/bundled-server.js';
export type {
  Completer,
  InferArgs,
  PromptArgumentConfig,
  PromptConfig,
  PromptHandler,
  Registered,
  ResourceConfig,
  ResourceReader,
  TemplateConfig,
  TemplateReader,
  ToolHandler,
  ToolReturn,
} from './mcp-server.js';
export { Server } from './server.js';
export { ToolHandoff } from './extension.js';
export type {
  ExtensionHost,
  ListenFilter,
  MethodEra,
  ServerExtension,
  ToolCall,
  ToolHooks,
  ToolNext,
} from './extension.js';
export type { Channel, LegacySession, PrincipalContext, RequestHandler, ServerOptions } from './server.js';
export { ServerConnection, connectServer } from './connection.js';
export type { ConnectOptions } from './connection.js';
export type { Middleware, MiddlewareRequest } from './middleware.js';
export type { ElicitOutcome, InputOptions, RequestContext } from './context.js';
export { ToolError } from './tool-error.js';
export { InMemoryEventBus } from './events.js';
export type { ServerEvent, ServerEventBus } from './events.js';
export type { RequestStateOptions } from './request-state.js';
export * from '../protocol/public.js';
