// tsmcp/server: the public server API.
export { McpServer, TaskEscalation, runAsTask } from './mcp-server.js';
export type {
  Completer,
  InferArgs,
  McpServerOptions,
  PromptArgumentConfig,
  PromptConfig,
  PromptHandler,
  Registered,
  ResourceConfig,
  ResourceReader,
  TemplateConfig,
  TemplateReader,
  ToolConfig,
  ToolHandler,
  ToolReturn,
} from './mcp-server.js';
export { Server } from './server.js';
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
