// The one internal model: MCP types as revision 2026-07-28 defines them. Older revisions are
// translated to and from this model at the edge (see codec.ts).
import type { JsonObject, RequestId } from './jsonrpc.js';

export type Meta = { [key: string]: unknown };
export type ProgressToken = string | number;
export type Cursor = string;

/** Identity of a client or server (self-asserted: never a security signal). */
export interface Implementation {
  name: string;
  version: string;
  title?: string;
  description?: string;
  websiteUrl?: string;
  icons?: Icon[];
}

export interface Icon {
  src: string;
  mimeType?: string;
  sizes?: string[];
  theme?: 'light' | 'dark';
}

export interface ClientCapabilities {
  experimental?: { [key: string]: JsonObject };
  /** @deprecated Roots are deprecated since 2026-07-28 (SEP-2577); earliest removal 2027-07-28. */
  roots?: { listChanged?: boolean };
  /** @deprecated Sampling is deprecated since 2026-07-28 (SEP-2577); earliest removal 2027-07-28. */
  sampling?: { context?: JsonObject; tools?: JsonObject };
  elicitation?: { form?: JsonObject; url?: JsonObject };
  extensions?: { [id: string]: JsonObject };
}

export interface ServerCapabilities {
  experimental?: { [key: string]: JsonObject };
  /** @deprecated Logging is deprecated since 2026-07-28 (SEP-2577); earliest removal 2027-07-28. */
  logging?: JsonObject;
  completions?: JsonObject;
  prompts?: { listChanged?: boolean };
  resources?: { subscribe?: boolean; listChanged?: boolean };
  tools?: { listChanged?: boolean };
  extensions?: { [id: string]: JsonObject };
}

export type ResultType = 'complete' | 'input_required' | (string & {});
export type CacheScope = 'public' | 'private';

export interface Result {
  resultType?: ResultType;
  _meta?: Meta;
  [key: string]: unknown;
}
export interface CacheHint {
  /** Milliseconds the result stays fresh (integer ≥ 0). */
  ttlMs: number;
  cacheScope: CacheScope;
}

export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';
export const LOGGING_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

export interface Annotations {
  audience?: ('user' | 'assistant')[];
  priority?: number;
  lastModified?: string;
}

export interface TextContent {
  type: 'text';
  text: string;
  annotations?: Annotations;
  _meta?: Meta;
}
export interface ImageContent {
  type: 'image';
  data: string;
  mimeType: string;
  annotations?: Annotations;
  _meta?: Meta;
}
export interface AudioContent {
  type: 'audio';
  data: string;
  mimeType: string;
  annotations?: Annotations;
  _meta?: Meta;
}
export interface TextResourceContents {
  uri: string;
  mimeType?: string;
  text: string;
  _meta?: Meta;
}
export interface BlobResourceContents {
  uri: string;
  mimeType?: string;
  blob: string;
  _meta?: Meta;
}
export type ResourceContents = TextResourceContents | BlobResourceContents;
export interface EmbeddedResource {
  type: 'resource';
  resource: ResourceContents;
  annotations?: Annotations;
  _meta?: Meta;
}
export interface ResourceLink extends Resource {
  type: 'resource_link';
}
export type ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  icons?: Icon[];
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  annotations?: ToolAnnotations;
  _meta?: Meta;
}

export interface CallToolResult extends Result {
  content: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

export interface Resource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  annotations?: Annotations;
  icons?: Icon[];
  _meta?: Meta;
}
export interface ResourceTemplate {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: Annotations;
  icons?: Icon[];
  _meta?: Meta;
}
export interface ReadResourceResult extends Result {
  contents: ResourceContents[];
}

export interface PromptArgument {
  name: string;
  title?: string;
  description?: string;
  required?: boolean;
}
export interface Prompt {
  name: string;
  title?: string;
  description?: string;
  icons?: Icon[];
  arguments?: PromptArgument[];
  _meta?: Meta;
}
export interface PromptMessage {
  role: 'user' | 'assistant';
  content: ContentBlock;
}
export interface GetPromptResult extends Result {
  description?: string;
  messages: PromptMessage[];
}

export type CompleteRef = { type: 'ref/prompt'; name: string; title?: string } | { type: 'ref/resource'; uri: string };
export interface CompleteParams {
  ref: CompleteRef;
  argument: { name: string; value: string };
  context?: { arguments?: { [key: string]: string } };
}
export interface CompleteResult extends Result {
  completion: { values: string[]; total?: number; hasMore?: boolean };
}

export interface DiscoverResult extends Result {
  supportedVersions: string[];
  capabilities: ServerCapabilities;
  instructions?: string;
}

export interface InitializeResult extends Result {
  protocolVersion: string;
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions?: string;
}

// ---- Multi round-trip (MRTR) ----

export interface ElicitFormParams {
  mode?: 'form';
  message: string;
  requestedSchema: {
    $schema?: string;
    type: 'object';
    properties: { [key: string]: JsonObject };
    required?: string[];
  };
  _meta?: Meta;
}
export interface ElicitUrlParams {
  mode: 'url';
  message: string;
  url: string;
  _meta?: Meta;
  elicitationId?: string;
}
export type ElicitParams = ElicitFormParams | ElicitUrlParams;
export interface ElicitResult {
  action: 'accept' | 'decline' | 'cancel';
  content?: { [key: string]: string | number | boolean | string[] };
  _meta?: Meta;
}

export interface SamplingMessage {
  role: 'user' | 'assistant';
  content: JsonObject | JsonObject[];
  _meta?: Meta;
}
/** @deprecated Sampling is deprecated since 2026-07-28 (SEP-2577). */
export interface CreateMessageParams {
  messages: SamplingMessage[];
  maxTokens: number;
  modelPreferences?: JsonObject;
  systemPrompt?: string;
  /** @deprecated `thisServer` and `allServers` are deprecated since 2025-11-25. */
  includeContext?: 'none' | 'thisServer' | 'allServers';
  temperature?: number;
  stopSequences?: string[];
  metadata?: JsonObject;
  tools?: Tool[];
  toolChoice?: { mode: 'auto' | 'required' | 'none' };
  _meta?: Meta;
}
/** @deprecated Sampling is deprecated since 2026-07-28 (SEP-2577). */
export interface CreateMessageResult {
  role: 'user' | 'assistant';
  content: JsonObject | JsonObject[];
  model: string;
  stopReason?: string;
  _meta?: Meta;
}
export interface Root {
  uri: string;
  name?: string;
  _meta?: Meta;
}
/** @deprecated Roots are deprecated since 2026-07-28 (SEP-2577). */
export interface ListRootsResult {
  roots: Root[];
  _meta?: Meta;
}

export type InputRequest =
  | { method: 'elicitation/create'; params: ElicitParams }
  | { method: 'sampling/createMessage'; params: CreateMessageParams }
  | { method: 'roots/list'; params?: { _meta?: Meta } };
export type InputResponse = ElicitResult | CreateMessageResult | ListRootsResult;
export type InputRequests = { [key: string]: InputRequest };
export type InputResponses = { [key: string]: InputResponse };

export interface InputRequiredResult extends Result {
  resultType: 'input_required';
  inputRequests?: InputRequests;
  requestState?: string;
}

// ---- Subscriptions ----

export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
  [extension: string]: unknown;
}

export interface ProgressParams {
  progressToken: ProgressToken;
  progress: number;
  total?: number;
  message?: string;
}
export interface LogMessageParams {
  level: LoggingLevel;
  logger?: string;
  data: unknown;
}
export interface CancelledParams {
  requestId: RequestId;
  reason?: string;
}

export type { RequestId, JsonObject };
