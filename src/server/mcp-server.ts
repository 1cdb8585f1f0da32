// The high-level server: register tools, resources, templates and prompts; McpServer builds the
// registries once and answers every list/call/read/get/complete from them, for both eras.
import { ErrorCode, McpError, TsmcpError, grants, invalidParams, requireGranted } from '../protocol/errors.js';
import { isObject, isThenable, type JsonObject } from '../protocol/jsonrpc.js';
import type {
  CacheHint,
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  Icon,
  Implementation,
  Meta,
  Prompt,
  PromptArgument,
  PromptMessage,
  ReadResourceResult,
  Resource,
  ResourceContents,
  ResourceTemplate,
  Tool,
  ToolAnnotations,
} from '../protocol/types.js';
import {
  compileSchema,
  formatIssues,
  outputMismatch,
  type CompiledSchema,
  type InferSchema,
  type SchemaInput,
  type StandardSchemaV1,
  type ValidationResult,
} from '../schema/index.js';
import { UriTemplate } from '../uri-template/index.js';
import { userMetaProblem } from '../protocol/meta.js';
import { LIST_CHANGED } from '../protocol/list-changed.js';
import { headerParamsOf, invalidHeaderAnnotation, type HeaderParam } from '../protocol/x-mcp-header.js';
import type { Transport } from '../protocol/transport.js';
import { connectServer, type ConnectOptions, type ServerConnection } from './connection.js';
import { InputRequiredSignal, type RequestContext } from './context.js';
import { paginate } from './pagination.js';
import type { Middleware } from './middleware.js';
import { Server, type ServerOptions } from './server.js';
import {
  ToolHandoff,
  type ExtensionHost,
  type ServerExtension,
  type ToolCall,
  type ToolHooks,
  type ToolNext,
} from './extension.js';
import { ToolError } from './tool-error.js';

/** Arguments a tool handler receives: the schema's output type, or a plain object for JSON Schema. */
export type InferArgs<S> = S extends StandardSchemaV1<unknown, infer O> ? O : { [key: string]: unknown };

export interface ToolConfig<
  S extends SchemaInput | undefined = SchemaInput | undefined,
  O extends SchemaInput | undefined = SchemaInput | undefined,
> {
  title?: string;
  description?: string;
  /** Standard Schema (zod, valibot, arktype…) or a JSON Schema object (kept exactly as written). Default: no arguments. */
  inputSchema?: S;
  /**
   * Schema of `structuredContent`: results are checked against it, and the handler's return type
   * requires `structuredContent` of its type (a Standard Schema's output type, or a JSON Schema
   * literal's: see `FromJsonSchema`).
   */
  outputSchema?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Meta;
  /**
   * OAuth scopes a caller's verified credentials (`ctx.identity.auth.scopes`) must grant to call this tool (task-augmented calls too);
   * others are refused (fail closed, no credentials included) with `InsufficientScopeError`: HTTP 403
   * `insufficient_scope`, -32600 elsewhere. Default none.
   */
  scopes?: readonly string[];
  /**
   * Per-extension configuration of this tool, by extension id (each id must be installed with the
   * server's `extensions` option). The extension reads it in its tool hooks.
   */
  extensions?: { [id: string]: unknown };
}

/**
 * What a tool handler may return: a full result, or just structured content (a text copy is added), or
 * a `ToolHandoff` that passes the rest of the call to an extension. With an `outputSchema`, see `ToolOutput`.
 */
export type ToolReturn = ToolResultReturn | ToolHandoff;

/**
 * A tool's result as a handler may write it: `content`, `structuredContent` or both. One object type, not a
 * union of "content" and "structured" shapes: with a union, a content block with a wrong `type` in an async
 * handler was reported as "Property 'structuredContent' is missing"; now the compiler names the block.
 */
export interface ToolResultReturn extends Omit<CallToolResult, 'content'> {
  content?: ContentBlock[];
}

/**
 * What a tool with an `outputSchema` may return: `structuredContent` of the schema's type (checked at
 * runtime too), or an error result (`isError: true`: content, structured content optional), or a handoff.
 */
export type ToolOutput<T> =
  | (Omit<CallToolResult, 'content' | 'structuredContent' | 'isError'> & {
      structuredContent: T;
      content?: ContentBlock[];
      isError?: false;
    })
  | (CallToolResult & { isError: true; structuredContent?: T })
  | ToolHandoff;

/** The return type of a tool handler: `ToolReturn`, or `ToolOutput` of the `outputSchema`'s type when there is one. */
export type ToolResultOf<O> = [O] extends [undefined] ? ToolReturn : ToolOutput<InferSchema<O>>;

/** A tool handler: validated arguments in, a result (typed by the `outputSchema`, if any) out. */
export type ToolHandler<S, O = undefined> = (
  args: InferArgs<S>,
  ctx: RequestContext,
) => ToolResultOf<O> | Promise<ToolResultOf<O>>;

export interface ResourceConfig {
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  annotations?: Resource['annotations'];
  icons?: Icon[];
  _meta?: Meta;
  /** Cache hint for reads of this resource. Default: the server's `cache.read`. */
  cache?: CacheHint;
  /**
   * OAuth scopes a caller's verified credentials (`ctx.identity.auth.scopes`) must grant to read this resource (or complete its arguments);
   * others are refused (fail closed, no credentials included) with `InsufficientScopeError`: HTTP 403
   * `insufficient_scope`, -32600 elsewhere. Default none.
   */
  scopes?: readonly string[];
}
export type ResourceReader = (
  uri: string,
  ctx: RequestContext,
) => ResourceContents[] | ReadResourceResult | Promise<ResourceContents[] | ReadResourceResult>;

export interface TemplateConfig extends Omit<ResourceConfig, 'size'> {
  /** Lists the concrete resources behind the template (shown in resources/list). */
  list?: (ctx: RequestContext) => Resource[] | Promise<Resource[]>;
  /** Completion for template variables, by variable name. */
  complete?: { [variable: string]: Completer };
}
export type TemplateReader = (
  uri: string,
  vars: { [name: string]: string | string[] },
  ctx: RequestContext,
) => ReturnType<ResourceReader>;

/** Suggests values for an argument given its partial value and the other arguments already filled. */
export type Completer = (
  value: string,
  context: { arguments: { [key: string]: string } },
) => string[] | Promise<string[]>;

export interface PromptArgumentConfig extends PromptArgument {
  complete?: Completer;
}
export interface PromptConfig {
  title?: string;
  description?: string;
  icons?: Icon[];
  arguments?: PromptArgumentConfig[];
  _meta?: Meta;
  /**
   * OAuth scopes a caller's verified credentials (`ctx.identity.auth.scopes`) must grant to get this prompt (or complete its arguments);
   * others are refused (fail closed, no credentials included) with `InsufficientScopeError`: HTTP 403
   * `insufficient_scope`, -32600 elsewhere. Default none.
   */
  scopes?: readonly string[];
}
export type PromptHandler = (
  args: { [key: string]: string },
  ctx: RequestContext,
) => GetPromptResult | PromptMessage[] | Promise<GetPromptResult | PromptMessage[]>;

export interface McpServerOptions extends ServerOptions {
  /** Items per page of tools/list, prompts/list, resources/list, resources/templates/list. Default 100. */
  pageSize?: number;
  /** Extensions to install, in order (hooks of the first wrap those of the later). See docs/extensions.md. */
  extensions?: readonly ServerExtension[];
  /**
   * Leave out of tools/list, prompts/list, resources/list and resources/templates/list what was
   * registered with `scopes` the caller's verified credentials do not grant. Default false: listed, so
   * a client learns the scopes from the refusal (HTTP 403 `insufficient_scope`) and can step up; a
   * hidden item cannot be discovered that way.
   */
  hideUnauthorized?: boolean;
}

/** A registration that can be removed again (clients that listen are told the list changed). */
export interface Registered {
  remove(): void;
}

interface ToolEntry {
  tool: Tool;
  scopes: readonly string[];
  headers: HeaderParam[];
  extensions: { [id: string]: unknown } | undefined;
  input: CompiledSchema;
  output: CompiledSchema | undefined;
  handler: ToolHandler<unknown, unknown>;
}
interface ResourceEntry {
  resource: Resource;
  read: ResourceReader;
  cache: CacheHint | undefined;
  scopes: readonly string[];
}
interface TemplateEntry {
  template: ResourceTemplate;
  matcher: UriTemplate;
  config: TemplateConfig;
  read: TemplateReader;
  scopes: readonly string[];
}
interface PromptEntry {
  prompt: Prompt;
  config: PromptConfig;
  handler: PromptHandler;
  scopes: readonly string[];
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const NO_ARGS: JsonObject = { type: 'object', additionalProperties: false };

/**
 * A ready-made MCP server: register features, then `connect()` a transport (or hand `server` to an
 * HTTP front). One instance serves any number of connections, modern and legacy at once.
 * @example
 * const server = new McpServer({ name: 'weather', version: '1.0.0' });
 * server.registerTool('forecast', { inputSchema: z.object({ city: z.string() }) }, async ({ city }) => ({
 *   content: [{ type: 'text', text: `Sunny in ${city}` }],
 * }));
 * await server.connect(new StdioServerTransport());
 */
export class McpServer {
  /** The low-level server underneath (for custom methods and the HTTP front). */
  readonly server: Server;
  readonly #tools = new Map<string, ToolEntry>();
  readonly #resources = new Map<string, ResourceEntry>();
  readonly #templates = new Map<string, TemplateEntry>();
  readonly #prompts = new Map<string, PromptEntry>();
  readonly #pageSize: number;
  readonly #hide: boolean;
  readonly #extensions = new Map<string, ServerExtension>();
  /** Tool hooks with the id of the extension that added them, in installation order. */
  readonly #hooks: { id: string; hooks: ToolHooks }[] = [];
  /** The same, innermost first (the order `wrap` hooks are composed in): rebuilt when hooks are added, not per call. */
  #hooksInward: { id: string; hooks: ToolHooks }[] = [];

  constructor(info: Implementation, options: McpServerOptions = {}) {
    this.server = new Server(info, { ...options, capabilities: { ...options.capabilities } });
    this.#pageSize = options.pageSize ?? 100;
    this.server.setRequestHandler('completion/complete', (p, ctx) => this.#complete(p, ctx));
    this.server.toolHeaders = (name) => this.#tools.get(name)?.headers;
    this.server.scopesOf = (method, params) => this.#scopesOf(method, params);
    this.#hide = options.hideUnauthorized ?? false;
    for (const extension of options.extensions ?? []) this.#installExtension(extension);
  }

  /** An installed extension by id (the object given in `extensions`), e.g. to reach its state. */
  extension<E extends ServerExtension = ServerExtension>(id: string): E | undefined {
    return this.#extensions.get(id) as E | undefined;
  }

  #installExtension(extension: ServerExtension): void {
    const { id } = extension;
    if (this.#extensions.has(id))
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Extension ${id} is installed twice`);
    this.#extensions.set(id, extension);
    (this.server.capabilities.extensions ??= {})[id] = extension.settings ?? {};
    const s = this.server;
    const host: ExtensionHost = {
      server: s,
      setRequestHandler: (method, handler, options) => s.setRequestHandler(method, handler, options),
      addToolHooks: (hooks) => {
        this.#hooks.push({ id, hooks });
        this.#hooksInward = [...this.#hooks].reverse();
      },
      addListenFilter: (key, filter) => s.addListenFilter(key, filter),
      addLegacyCapabilities: (contribute) => s.addLegacyCapabilities(contribute),
      declareResultType: (type, methods) => s.declareResultType(type, methods),
      onLegacySessionEnd: (listener) => s.onLegacySessionEnd(listener),
    };
    extension.install(host);
  }

  /** Add a middleware around every request (see `Server.use`); returns this McpServer, for chaining. */
  use(middleware: Middleware): this {
    this.server.use(middleware);
    return this;
  }

  /**
   * Register a tool. Names follow SEP-986: 1–128 of `A-Z a-z 0-9 _ . -`, unique. Schemas are 2020-12
   * or draft-07 with no `$ref` outside themselves, and `x-mcp-header` annotations follow SEP-2243;
   * anything else throws `TSMCP_INVALID_DEFINITION` naming the tool and the rule.
   */
  registerTool<S extends SchemaInput | undefined = undefined, const O extends SchemaInput | undefined = undefined>(
    name: string,
    config: ToolConfig<S, O>,
    handler: ToolHandler<S, O>,
  ): Registered {
    checkDefinitionMeta(`Tool ${name}`, config._meta);
    if (!TOOL_NAME.test(name))
      throw new TsmcpError(
        'TSMCP_INVALID_DEFINITION',
        `Invalid tool name ${JSON.stringify(name)}: use 1-128 characters of A-Z, a-z, 0-9, _, . and -`,
      );
    if (this.#tools.has(name)) throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Tool ${name} is already registered`);
    const input = compileSchema((config.inputSchema ?? NO_ARGS) as SchemaInput, { role: 'input' });
    // Clients on HTTP must drop a tool with a bad annotation (SEP-2243): refuse it here, where it can be fixed.
    const badHeader = invalidHeaderAnnotation(input.jsonSchema as JsonObject);
    if (badHeader)
      throw new TsmcpError(
        'TSMCP_INVALID_DEFINITION',
        `Tool ${name}: ${badHeader} (x-mcp-header must be a header-name token, unique ignoring case, on a string, integer or boolean root property; HTTP clients drop tools that break this)`,
      );
    const output =
      config.outputSchema === undefined ? undefined : compileSchema(config.outputSchema, { role: 'output' });
    const tool: Tool = { name, inputSchema: input.jsonSchema as JsonObject };
    if (config.title !== undefined) tool.title = config.title;
    if (config.description !== undefined) tool.description = config.description;
    if (config.icons) tool.icons = config.icons;
    if (output) tool.outputSchema = output.jsonSchema as JsonObject;
    if (config.annotations) tool.annotations = config.annotations;
    if (config._meta) tool._meta = config._meta;
    for (const id in config.extensions) {
      if (!this.#extensions.has(id))
        throw new TsmcpError(
          'TSMCP_INVALID_DEFINITION',
          `Tool ${name} configures extension ${id}; install it with the extensions option`,
        );
    }
    this.#tools.set(name, {
      tool,
      scopes: checkScopes(`Tool ${name}`, config.scopes),
      headers: headerParamsOf(tool.inputSchema),
      extensions: config.extensions,
      input,
      output,
      handler: handler as ToolHandler<unknown, unknown>,
    });
    this.#enable('tools');
    return { remove: () => this.#tools.delete(name) && this.#changed('tools') };
  }

  /** Register a resource at a fixed URI. */
  registerResource(name: string, uri: string, config: ResourceConfig, read: ResourceReader): Registered {
    checkDefinitionMeta(`Resource ${uri}`, config._meta);
    if (this.#resources.has(uri))
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Resource ${uri} is already registered`);
    const { cache, scopes, ...rest } = config;
    const checked = checkScopes(`Resource ${uri}`, scopes);
    this.#resources.set(uri, { resource: { uri, name, ...rest }, read, cache, scopes: checked });
    this.#enable('resources');
    return { remove: () => this.#resources.delete(uri) && this.#changed('resources') };
  }

  /** Register an RFC 6570 resource template, e.g. `file:///{+path}`. */
  registerResourceTemplate(
    name: string,
    uriTemplate: string,
    config: TemplateConfig,
    read: TemplateReader,
  ): Registered {
    checkDefinitionMeta(`Resource template ${name}`, config._meta);
    if (this.#templates.has(name))
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Resource template ${name} is already registered`);
    const matcher = new UriTemplate(uriTemplate);
    const { list: _l, complete: _c, cache: _k, scopes, ...meta } = config;
    const checked = checkScopes(`Resource template ${name}`, scopes);
    this.#templates.set(name, { template: { uriTemplate, name, ...meta }, matcher, config, read, scopes: checked });
    this.#enable('resources');
    if (config.complete) this.#enableCompletions();
    return { remove: () => this.#templates.delete(name) && this.#changed('resources') };
  }

  /** Register a prompt. Arguments are strings; `complete` on an argument enables completion for it. */
  registerPrompt(name: string, config: PromptConfig, handler: PromptHandler): Registered {
    checkDefinitionMeta(`Prompt ${name}`, config._meta);
    if (this.#prompts.has(name))
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Prompt ${name} is already registered`);
    const prompt: Prompt = { name };
    if (config.title !== undefined) prompt.title = config.title;
    if (config.description !== undefined) prompt.description = config.description;
    if (config.icons) prompt.icons = config.icons;
    if (config.arguments) prompt.arguments = config.arguments.map(({ complete: _c, ...a }) => a);
    if (config._meta) prompt._meta = config._meta;
    this.#prompts.set(name, { prompt, config, handler, scopes: checkScopes(`Prompt ${name}`, config.scopes) });
    this.#enable('prompts');
    if (config.arguments?.some((a) => a.complete)) this.#enableCompletions();
    return { remove: () => this.#prompts.delete(name) && this.#changed('prompts') };
  }

  /**
   * Tell clients that resource `uri` changed (listeners and legacy subscribers of it, or of a parent). With a
   * shared bus the promise rejects for an event over the bus's size bound (RedisEventBus `maxEventBytes`).
   */
  resourceUpdated(uri: string): void | Promise<void> {
    return this.server.publish({ type: 'resources/updated', uri });
  }

  /** Serve one client over `transport`. */
  connect(transport: Transport, options?: ConnectOptions): Promise<ServerConnection> {
    return connectServer(this.server, transport, options);
  }

  // ---------------------------------------------------------------- registration plumbing

  #enable(kind: 'tools' | 'resources' | 'prompts'): void {
    const caps = this.server.capabilities;
    if (!caps[kind]) {
      caps[kind] = kind === 'resources' ? { subscribe: true, listChanged: true } : { listChanged: true };
      this.#install(kind);
    } else {
      this.#changed(kind);
    }
  }

  #enableCompletions(): void {
    this.server.capabilities.completions ??= {};
  }

  #changed(kind: 'tools' | 'resources' | 'prompts'): true {
    this.server.announce({ type: LIST_CHANGED[kind].event });
    return true;
  }

  #install(kind: 'tools' | 'resources' | 'prompts'): void {
    const s = this.server;
    if (kind === 'tools') {
      s.setRequestHandler('tools/list', (p, ctx) => {
        const { page, nextCursor } = paginate(
          this.#visible(this.#tools, ctx),
          (e) => e.tool.name,
          p.cursor,
          this.#pageSize,
        );
        const listers = this.#hooks.filter((h) => h.hooks.list);
        const tools = listers.length
          ? page.map((e) => listers.reduce((t, h) => h.hooks.list!(t, e.extensions?.[h.id], ctx), e.tool))
          : page.map((e) => e.tool);
        return withCursor({ tools }, nextCursor);
      });
      s.setRequestHandler('tools/call', (p, ctx) => this.#callTool(p, ctx));
    } else if (kind === 'prompts') {
      s.setRequestHandler('prompts/list', (p, ctx) => {
        const { page, nextCursor } = paginate(
          this.#visible(this.#prompts, ctx),
          (e) => e.prompt.name,
          p.cursor,
          this.#pageSize,
        );
        return withCursor({ prompts: page.map((e) => e.prompt) }, nextCursor);
      });
      s.setRequestHandler('prompts/get', (p, ctx) => this.#getPrompt(p, ctx));
    } else {
      s.setRequestHandler('resources/list', async (p, ctx) => {
        const all: Resource[] = this.#visible(this.#resources, ctx).map((e) => e.resource);
        for (const t of this.#visible(this.#templates, ctx)) if (t.config.list) all.push(...(await t.config.list(ctx)));
        const { page, nextCursor } = paginate(all, (r) => r.uri, p.cursor, this.#pageSize);
        return withCursor({ resources: page }, nextCursor);
      });
      s.setRequestHandler('resources/templates/list', (p, ctx) => {
        const { page, nextCursor } = paginate(
          this.#visible(this.#templates, ctx),
          (e) => e.template.name,
          p.cursor,
          this.#pageSize,
        );
        return withCursor({ resourceTemplates: page.map((e) => e.template) }, nextCursor);
      });
      s.setRequestHandler('resources/read', (p, ctx) => this.#read(p, ctx));
    }
  }

  /** The entries of a registry a list shows this caller: all, or (`hideUnauthorized`) those it may use. */
  #visible<E extends { scopes: readonly string[] }>(registry: Map<string, E>, ctx: RequestContext): E[] {
    const all = [...registry.values()];
    return this.#hide ? all.filter((e) => grants(ctx.identity.auth, e.scopes)) : all;
  }

  /** The registered scopes a request needs (for middleware: `MiddlewareRequest.scopesOf`). */
  #scopesOf(method: string, params: JsonObject): readonly string[] | undefined {
    const name = typeof params.name === 'string' ? params.name : undefined;
    if (method === 'tools/call') return name === undefined ? undefined : this.#tools.get(name)?.scopes;
    if (method === 'prompts/get') return name === undefined ? undefined : this.#prompts.get(name)?.scopes;
    if (method === 'resources/read' && typeof params.uri === 'string') {
      const fixed = this.#resources.get(params.uri);
      if (fixed) return fixed.scopes;
      for (const t of this.#templates.values()) if (t.matcher.match(params.uri)) return t.scopes;
    }
    if (method === 'completion/complete' && isObject(params.ref)) {
      const ref = params.ref;
      if (ref.type === 'ref/prompt' && typeof ref.name === 'string') return this.#prompts.get(ref.name)?.scopes;
      if (ref.type === 'ref/resource' && typeof ref.uri === 'string')
        return (
          [...this.#templates.values()].find((e) => e.template.uriTemplate === ref.uri)?.scopes ??
          this.#resources.get(ref.uri)?.scopes
        );
    }
    return undefined;
  }

  // ---------------------------------------------------------------- request handlers

  /**
   * `tools/call`. Not async: a call with no `check` hook, a JSON Schema and a synchronous handler runs to
   * its result without a promise or a suspended frame (an async function here cost about 0.8 KiB a call);
   * it may throw, which the server's `await handler(…)` inside its try treats like a rejection. Each
   * asynchronous step (a check hook, a Standard Schema, a handler's promise) continues in an async helper.
   */
  #callTool(params: JsonObject, ctx: RequestContext): JsonObject | Promise<JsonObject> {
    const name = params.name as string;
    const entry = this.#tools.get(name);
    if (!entry) throw invalidParams(`Unknown tool: ${name}`, { name });
    // Before any extension hook: a task-augmented call is refused like a direct one.
    requireGranted(ctx.identity.auth, entry.scopes, `tool ${name}`);
    // Indexed loops: a for-of allocates an iterator per call until the function is optimised.
    const hooks = this.#hooks;
    for (let i = 0; i < hooks.length; i++) if (hooks[i]!.hooks.check) return this.#checkThenCall(entry, params, ctx);
    return this.#validateThenCall(entry, params, ctx);
  }

  /** Extensions may refuse the call before anything runs (e.g. a client that lacks them). */
  async #checkThenCall(entry: ToolEntry, params: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    for (const h of this.#hooks) if (h.hooks.check) await h.hooks.check(toolCall(entry, h.id, params, ctx));
    return this.#validateThenCall(entry, params, ctx);
  }

  #validateThenCall(entry: ToolEntry, params: JsonObject, ctx: RequestContext): JsonObject | Promise<JsonObject> {
    const validated = entry.input.validate(params.arguments ?? {});
    // A JSON Schema validates synchronously: no promise on that path.
    if (validated instanceof Promise)
      return validated.then((checked) => this.#callValidated(entry, checked, params, ctx));
    return this.#callValidated(entry, validated, params, ctx);
  }

  #callValidated(
    entry: ToolEntry,
    checked: ValidationResult,
    params: JsonObject,
    ctx: RequestContext,
  ): JsonObject | Promise<JsonObject> {
    if (!checked.ok) return toolFailure(formatIssues(checked.issues));
    // The `wrap` chain is built only when an extension wraps calls; otherwise no closure per call.
    const inward = this.#hooksInward;
    let wrapped = false;
    for (let i = 0; i < inward.length; i++) if (inward[i]!.hooks.wrap) wrapped = true;
    if (!wrapped) return this.#execute(entry, checked.value, ctx, params, true);
    // A wrap hook's `next` returns a promise, as ToolNext promises, whatever the handler did.
    let run: ToolNext = async (c) => this.#execute(entry, checked.value, c, params, false);
    for (const h of inward) {
      const { wrap } = h.hooks;
      if (!wrap) continue;
      const next = run;
      run = (c) => wrap(toolCall(entry, h.id, params, c), next);
    }
    return run(ctx);
  }

  /**
   * Run a tool handler and shape its result (errors stay private unless they are ToolErrors). A
   * synchronous handler's result is used as it is: awaiting a plain value costs a promise and a tick.
   */
  #execute(
    entry: ToolEntry,
    args: unknown,
    ctx: RequestContext,
    params: JsonObject,
    direct: boolean,
  ): JsonObject | Promise<JsonObject> {
    let returned: ToolReturn | Promise<ToolReturn>;
    try {
      returned = entry.handler(args as never, ctx);
    } catch (e) {
      return this.#handlerFailed(e, entry, ctx, params);
    }
    // Anything `await` would treat as a thenable is still awaited.
    if (isThenable(returned)) return this.#settle(entry, returned, ctx, params, direct);
    return this.#returned(entry, returned, ctx, params, direct);
  }

  /** The rest of `#execute` once an asynchronous handler settles. */
  async #settle(
    entry: ToolEntry,
    returned: PromiseLike<ToolReturn>,
    ctx: RequestContext,
    params: JsonObject,
    direct: boolean,
  ): Promise<JsonObject> {
    let out: ToolReturn;
    try {
      out = await returned;
    } catch (e) {
      return this.#handlerFailed(e, entry, ctx, params);
    }
    return this.#returned(entry, out, ctx, params, direct);
  }

  /** A handler threw: protocol signals go on, a ToolError is the tool's answer, anything else stays private. */
  #handlerFailed(e: unknown, entry: ToolEntry, ctx: RequestContext, params: JsonObject): JsonObject {
    if (e instanceof InputRequiredSignal || e instanceof McpError) throw e;
    if (e instanceof ToolError) return { content: e.content ?? [{ type: 'text', text: e.message }], isError: true };
    this.server.unexpected(e, { jsonrpc: '2.0', id: ctx.requestId, method: 'tools/call', params });
    return toolFailure(`Tool ${entry.tool.name} failed with an internal error`);
  }

  /**
   * A handler's return, handed off to an extension or shaped into the result. `direct`: no `wrap` hook
   * sits between this result and the server, which sends a copy of it on either era (#finishModern, the
   * legacy codec), so the handler's object need not be copied here.
   */
  #returned(
    entry: ToolEntry,
    out: ToolReturn,
    ctx: RequestContext,
    params: JsonObject,
    direct: boolean,
  ): JsonObject | Promise<JsonObject> {
    const name = entry.tool.name;
    // The handler passed the rest of the call to an extension (after asking for input synchronously, say).
    if (out instanceof ToolHandoff) {
      const h = this.#hooks.find((x) => x.id === (out as ToolHandoff).extension && x.hooks.handoff);
      if (!h) {
        this.server.unexpected(new Error(`Tool ${name} handed off to ${out.extension}, which is not installed`), {
          jsonrpc: '2.0',
          id: ctx.requestId,
          method: 'tools/call',
          params,
        });
        throw new McpError(ErrorCode.InternalError, 'Internal error');
      }
      return h.hooks.handoff!({ name, params, ctx, config: entry.extensions?.[h.id] }, out, async (c, returned) =>
        this.#shape(entry, returned as ToolReturn, c, params, false),
      );
    }
    return this.#shape(entry, out, ctx, params, direct);
  }

  /**
   * Turn a handler's return into the CallToolResult sent (structured output checked, text copy added).
   * Synchronous unless a Standard Schema checks the output asynchronously: one promise fewer per call.
   */
  #shape(
    entry: ToolEntry,
    returned: ToolReturn,
    ctx: RequestContext,
    params: JsonObject,
    direct: boolean,
  ): JsonObject | Promise<JsonObject> {
    const name = entry.tool.name;
    if (returned instanceof ToolHandoff)
      throw new McpError(ErrorCode.InternalError, `Tool ${name} handed off again from inside a handoff`);
    const out = returned;
    this.#checkResultMeta(`Tool ${name}`, (out as JsonObject)._meta, ctx, 'tools/call', params);
    if ('structuredContent' in out && out.structuredContent !== undefined) {
      if (entry.output && !out.isError) {
        const v = entry.output.validate(out.structuredContent);
        if (v instanceof Promise) return v.then((r) => this.#shaped(entry, out, r, ctx, params, direct));
        return this.#shaped(entry, out, v, ctx, params, direct);
      }
    } else if (entry.output && !out.isError) {
      throw new McpError(
        ErrorCode.InternalError,
        `Tool ${name} declares an outputSchema but returned no structuredContent`,
      );
    }
    return this.#shaped(entry, out, undefined, ctx, params, direct);
  }

  /** The result of `#shape` once the output is checked (`checked` undefined: nothing to check). */
  #shaped(
    entry: ToolEntry,
    out: ToolResultReturn,
    checked: ValidationResult | undefined,
    ctx: RequestContext,
    params: JsonObject,
    direct: boolean,
  ): JsonObject {
    if (checked && !checked.ok) {
      // The schema is public (tools/list), so the client may learn which field broke it.
      const message = outputMismatch(entry.tool.name, checked.issues);
      this.server.unexpected(new TsmcpError('TSMCP_OUTPUT_SCHEMA', message), {
        jsonrpc: '2.0',
        id: ctx.requestId,
        method: 'tools/call',
        params,
      });
      throw new McpError(ErrorCode.InternalError, message);
    }
    // Sent as it is when nothing but the server (which copies it) sees it: the handler's object is never
    // changed. A wrap hook or a handoff may change or keep what it gets, so it gets a copy of its own.
    if (direct && Array.isArray(out.content)) return out as JsonObject;
    const result: JsonObject = { ...out };
    if (!Array.isArray(result.content))
      result.content =
        out.structuredContent !== undefined ? [{ type: 'text', text: JSON.stringify(out.structuredContent) }] : [];
    return result;
  }

  /** A handler's result `_meta` may not claim tsmcp's reserved keys (serverInfo…): a bug, answered -32603. */
  #checkResultMeta(what: string, meta: unknown, ctx: RequestContext, method: string, params: JsonObject): void {
    const problem = userMetaProblem(meta, 'result');
    if (!problem) return;
    this.server.unexpected(
      new TsmcpError('TSMCP_INVALID_META', `${what} returned a result whose _meta is refused: ${problem}`),
      { jsonrpc: '2.0', id: ctx.requestId, method, params },
    );
    throw new McpError(ErrorCode.InternalError, `${what} returned an invalid result`);
  }

  async #getPrompt(params: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    const name = params.name as string;
    const entry = this.#prompts.get(name);
    if (!entry) throw invalidParams(`Unknown prompt: ${name}`, { name });
    requireGranted(ctx.identity.auth, entry.scopes, `prompt ${name}`);
    const args = (params.arguments ?? {}) as { [key: string]: string };
    for (const a of entry.config.arguments ?? []) {
      if (a.required && args[a.name] === undefined)
        throw invalidParams(`Missing required argument "${a.name}" for prompt ${name}`);
    }
    const out = await entry.handler(args, ctx);
    if (!Array.isArray(out)) this.#checkResultMeta(`Prompt ${name}`, out._meta, ctx, 'prompts/get', params);
    return (Array.isArray(out) ? { messages: out } : out) as JsonObject;
  }

  async #read(params: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    const uri = params.uri as string;
    const fixed = this.#resources.get(uri);
    let contents: ResourceContents[] | ReadResourceResult | undefined;
    let cache: CacheHint | undefined;
    if (fixed) {
      requireGranted(ctx.identity.auth, fixed.scopes, `resource ${uri}`);
      contents = await fixed.read(uri, ctx);
      cache = fixed.cache;
    } else {
      for (const t of this.#templates.values()) {
        const vars = t.matcher.match(uri);
        if (vars) {
          requireGranted(ctx.identity.auth, t.scopes, `resource template ${t.template.name}`);
          contents = await t.read(uri, vars, ctx);
          cache = t.config.cache;
          break;
        }
      }
    }
    if (contents === undefined) throw invalidParams(`Resource not found: ${uri}`, { uri });
    if (!Array.isArray(contents))
      this.#checkResultMeta(`Resource ${uri}`, contents._meta, ctx, 'resources/read', params);
    const result: JsonObject = Array.isArray(contents) ? { contents } : { ...contents };
    if (cache && result.ttlMs === undefined) Object.assign(result, cache);
    return result;
  }

  async #complete(params: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    const ref = params.ref as { type: string; name?: string; uri?: string };
    const arg = params.argument as { name: string; value: string };
    const context = {
      arguments: ((params.context as JsonObject | undefined)?.arguments ?? {}) as { [k: string]: string },
    };
    let completer: Completer | undefined;
    if (ref.type === 'ref/prompt') {
      const p = this.#prompts.get(ref.name!);
      if (!p) throw invalidParams(`Unknown prompt: ${ref.name}`);
      requireGranted(ctx.identity.auth, p.scopes, `prompt ${ref.name}`);
      completer = p.config.arguments?.find((a) => a.name === arg.name)?.complete;
    } else {
      const t = [...this.#templates.values()].find((e) => e.template.uriTemplate === ref.uri);
      const fixed = this.#resources.get(ref.uri!);
      if (!t && !fixed) throw invalidParams(`Unknown resource or template: ${ref.uri}`);
      requireGranted(ctx.identity.auth, (t ?? fixed)!.scopes, `resource ${ref.uri}`);
      completer = t?.config.complete?.[arg.name];
    }
    const values = completer ? await completer(arg.value, context) : [];
    const completion: JsonObject = { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 };
    return { completion };
  }
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A definition's `scopes`: RFC 6749 scope tokens, deduplicated; anything else throws at registration. */
function checkScopes(what: string, scopes: readonly string[] | undefined): readonly string[] {
  if (scopes === undefined) return NO_SCOPES;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s)))
    throw new TsmcpError(
      'TSMCP_INVALID_DEFINITION',
      `${what}: scopes must be an array of OAuth scope tokens (no spaces, quotes or backslashes); got ${JSON.stringify(scopes)}`,
    );
  return Object.freeze([...new Set(scopes)]);
}

/** Definitions' `_meta` follow the key rules; reserved prefixes are tsmcp's. */
function checkDefinitionMeta(what: string, meta: unknown): void {
  const problem = userMetaProblem(meta, 'definition');
  if (problem) throw new TsmcpError('TSMCP_INVALID_DEFINITION', `${what}: _meta refused: ${problem}`);
}

function withCursor(result: JsonObject, nextCursor: string | undefined): JsonObject {
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return result;
}

/** One `tools/call` as extension `id`'s hooks see it. */
function toolCall(entry: ToolEntry, id: string, params: JsonObject, ctx: RequestContext): ToolCall {
  return { name: entry.tool.name, params, ctx, config: entry.extensions?.[id] };
}

function toolFailure(text: string): JsonObject {
  return { content: [{ type: 'text', text }], isError: true };
}
