/**
 * tsmcp/server: the public server API. Its McpServer is the core one (server/) with the reference
 * extension's options as sugar (extensions/tasks/bundled-server.ts), whose exports are re-exported whole.
 * @module tsmcp/server
 */
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
  ToolOutput,
  ToolResultOf,
  ToolResultReturn,
  ToolReturn,
} from '../server/mcp-server.js';
export { jsonSchema, type FromJsonSchema, type InferSchema } from '../schema/index.js';
export { Server } from '../server/server.js';
export { ToolHandoff } from '../server/extension.js';
export type {
  ExtensionHost,
  ListenFilter,
  MethodEra,
  ServerExtension,
  ToolCall,
  ToolHooks,
  ToolNext,
} from '../server/extension.js';
export type { Channel, LegacySession, PrincipalContext, RequestHandler, ServerOptions } from '../server/server.js';
export { ServerConnection, connectServer } from '../server/connection.js';
export type { ConnectOptions } from '../server/connection.js';
export type { Middleware, MiddlewareRequest } from '../server/middleware.js';
export type { ElicitOutcome, InputOptions, RequestContext } from '../server/context.js';
export { ToolError } from '../server/tool-error.js';
export { InMemoryEventBus } from '../server/events.js';
export type { ServerEvent, ServerEventBus } from '../server/events.js';
export type { RequestStateOptions } from '../server/request-state.js';
export type { JsonSchemaObject, SchemaInput, StandardSchemaV1 } from '../schema/index.js';
export * from '../protocol/public.js';
