// The typed request map: each client→server method with its params and its final result (in the internal
// 2026-07-28 model), so a typed call returns its result type without casts at the call site.
import type { JsonObject } from './jsonrpc.js';
import type {
  CallToolResult,
  ClientCapabilities,
  CompleteRef,
  CompleteResult,
  Cursor,
  DiscoverResult,
  GetPromptResult,
  Implementation,
  InitializeResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Result,
  SubscriptionFilter,
  Tool,
} from './types.js';

// Params are type aliases (not interfaces) so they are assignable to JsonObject as they are.
export type PaginatedParams = { cursor?: Cursor };
export type CallToolParams = { name: string; arguments?: JsonObject };
export type GetPromptParams = { name: string; arguments?: { [key: string]: string } };
export type CompleteRequestParams = {
  ref: CompleteRef;
  argument: { name: string; value: string };
  context?: { arguments?: { [key: string]: string } };
};

export interface ListToolsResult extends Result {
  tools: Tool[];
  nextCursor?: Cursor;
}
export interface ListPromptsResult extends Result {
  prompts: Prompt[];
  nextCursor?: Cursor;
}
export interface ListResourcesResult extends Result {
  resources: Resource[];
  nextCursor?: Cursor;
}
export interface ListResourceTemplatesResult extends Result {
  resourceTemplates: ResourceTemplate[];
  nextCursor?: Cursor;
}

/** Client→server methods: params and final result. */
export interface RequestMap {
  'server/discover': { params: JsonObject; result: DiscoverResult };
  initialize: {
    params: { protocolVersion: string; capabilities: ClientCapabilities | JsonObject; clientInfo: Implementation };
    result: InitializeResult;
  };
  ping: { params: JsonObject; result: Result };
  'tools/list': { params: PaginatedParams; result: ListToolsResult };
  'tools/call': { params: CallToolParams; result: CallToolResult };
  'prompts/list': { params: PaginatedParams; result: ListPromptsResult };
  'prompts/get': { params: GetPromptParams; result: GetPromptResult };
  'resources/list': { params: PaginatedParams; result: ListResourcesResult };
  'resources/templates/list': { params: PaginatedParams; result: ListResourceTemplatesResult };
  'resources/read': { params: { uri: string }; result: ReadResourceResult };
  'resources/subscribe': { params: { uri: string }; result: Result };
  'resources/unsubscribe': { params: { uri: string }; result: Result };
  'completion/complete': { params: CompleteRequestParams; result: CompleteResult };
  'logging/setLevel': { params: { level: LoggingLevel }; result: Result };
  'subscriptions/listen': { params: { notifications: SubscriptionFilter }; result: Result };
}

export type RequestMethod = keyof RequestMap;
export type ParamsOf<M extends RequestMethod> = RequestMap[M]['params'];
export type ResultOf<M extends RequestMethod> = RequestMap[M]['result'];
