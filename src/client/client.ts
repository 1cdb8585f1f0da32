// The client's facade: connection lifecycle (connect, restart recovery, close), middleware, the typed methods
// and paging; era.ts, mrtr.ts, input.ts and subscriptions.ts do the rest over the shared state (state.ts).
import { compose } from '../engine/compose.js';
import { Peer } from '../engine/peer.js';
import { McpError, TsmcpError } from '../protocol/errors.js';
import { supports } from '../protocol/features.js';
import { isObject, type JsonObject } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import type {
  CallToolResult,
  CompleteParams,
  CompleteResult,
  DiscoverResult,
  GetPromptResult,
  Implementation,
  LoggingLevel,
  LogMessageParams,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  SubscriptionFilter,
  Tool,
} from '../protocol/types.js';
import { headerParamsOf, invalidHeaderAnnotation } from '../protocol/x-mcp-header.js';
import {
  LATEST_PROTOCOL_VERSION,
  isLegacyVersion,
  isModernVersion,
  type Era,
  type ProtocolVersion,
} from '../protocol/versions.js';
import { compileSchema, outputMismatch, type CompiledSchema } from '../schema/index.js';
import type { Transport } from '../protocol/transport.js';
import { listChangedOf } from '../protocol/list-changed.js';
import type { ParamsOf, RequestMethod, ResultOf } from '../protocol/requests.js';
import { ResponseCache } from './cache.js';
import type { ClientExtension } from './extension.js';
import { ERA_CACHE, settle, type Want } from './era.js';
import { InputAnswerer, capabilitiesFrom } from './input.js';
import { send, type MrtrHost } from './mrtr.js';
import { checked, type ClientState } from './state.js';
import { subscribe } from './subscriptions.js';
import type {
  CallOptions,
  ClientConnectionInfo,
  ClientMiddleware,
  ClientOptions,
  ClientRequest,
  SubscribeOptions,
  Subscription,
} from './options.js';

export type {
  CallOptions,
  ClientConnectionInfo,
  ClientMiddleware,
  ClientOptions,
  ClientRequest,
  InputHandlers,
  SubscribeOptions,
  Subscription,
} from './options.js';

/** An MCP client for one server connection. */
export class Client {
  readonly info: Implementation;
  /** What the client's parts share (state.ts). */
  readonly #s: ClientState;
  readonly #input: InputAnswerer;
  readonly #host: MrtrHost;
  readonly #extensions = new Map<string, ClientExtension>();
  /** Output schemas of listed tools; a TsmcpError marks a tool whose schema cannot be used (never skipped silently). */
  readonly #outputSchemas = new Map<string, CompiledSchema | TsmcpError>();
  /** close() was called: a connection loss is then expected, not recovered from. */
  #closing = false;
  /** The legacy session's log level, set again after a server restart. */
  #logLevel: LoggingLevel | undefined;
  readonly #middleware: ClientMiddleware[] = [];
  /** The middleware composed once per `use()`; undefined while there is none, so request() skips it. */
  #chain: ((req: ClientRequest, inner: () => Promise<JsonObject>) => Promise<JsonObject>) | undefined;
  /** `ClientRequest.connection`: one view per client, read live. */
  readonly #connection: ClientConnectionInfo = connectionView(this, () => this.#s.transport);

  constructor(info: Implementation, options: ClientOptions = {}) {
    this.info = info;
    this.#s = {
      info,
      options,
      capabilities: options.capabilities ?? capabilitiesFrom(options.handlers),
      cache: options.cache === false ? undefined : new ResponseCache(),
      peer: undefined,
      transport: undefined,
      version: undefined,
      serverCapabilities: {},
      serverInfo: undefined,
      instructions: undefined,
      connecting: false,
      recovering: undefined,
      baseMeta: undefined,
      followers: new Map(),
      legacyPassThrough: [],
      listeners: new Map(),
      legacyHolds: new Map(),
      legacySubs: new Set(),
    };
    this.#input = new InputAnswerer(this.#s);
    this.#host = { state: this.#s, input: this.#input, listTools: (cursor, o) => this.listTools(cursor, o) };
    for (const extension of options.extensions ?? []) this.#installExtension(extension);
  }

  /** An installed extension by id (the object given in `extensions`). */
  extension<E extends ClientExtension = ClientExtension>(id: string): E | undefined {
    return this.#extensions.get(id) as E | undefined;
  }

  #installExtension(extension: ClientExtension): void {
    const { id } = extension;
    if (this.#extensions.has(id))
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Extension ${id} is installed twice`);
    this.#extensions.set(id, extension);
    extension.install({
      client: this,
      declareCapability: (settings = {}) => {
        this.#s.capabilities = {
          ...this.#s.capabilities,
          extensions: { ...this.#s.capabilities.extensions, [id]: settings },
        };
      },
      followResultType: (resultType, methods, follow) => void this.#s.followers.set(resultType, { methods, follow }),
      passLegacyResult: (when) => void this.#s.legacyPassThrough.push(when),
      answer: (requests, signal) => this.#input.answerAll(requests, signal),
      check: (method, result) => checked(method, result),
    });
  }

  /** The revision in use once connected. */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.#s.version;
  }
  /** `modern` or `legacy`; remember it per server and pass it back as `prior` to skip the probe next time. */
  get era(): Era | undefined {
    return this.#s.version === undefined ? undefined : isModernVersion(this.#s.version) ? 'modern' : 'legacy';
  }
  get serverCapabilities(): ServerCapabilities {
    return this.#s.serverCapabilities;
  }
  get serverInfo(): Implementation | undefined {
    return this.#s.serverInfo;
  }
  get instructions(): string | undefined {
    return this.#s.instructions;
  }

  /**
   * Connect over a message transport and settle the protocol revision. Await it before any call (a call made
   * meanwhile fails with `TSMCP_NOT_CONNECTED`, "connect() is still in progress"); `close()` meanwhile aborts
   * it (it rejects with `TSMCP_CONNECTION_CLOSED`) and stops a spawned stdio server.
   */
  async connect(transport: Transport): Promise<void> {
    this.#closing = false;
    this.#s.connecting = true;
    const connecting = this.#connectOrAbort(transport);
    this.#connecting = connecting.catch(() => undefined);
    try {
      await connecting;
    } finally {
      this.#s.connecting = false;
      this.#connecting = undefined;
    }
  }

  /** The connect in progress (settled, never rejecting), so close() can wait for it to unwind. */
  #connecting: Promise<void> | undefined;

  async #connectOrAbort(transport: Transport): Promise<void> {
    try {
      await this.#connectCached(transport);
    } catch (e) {
      if (!this.#closing) throw e;
      await transport.close().catch(() => undefined); // whatever the connect had started by then
      throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'close() was called while connect() was in progress', {
        cause: e,
      });
    }
    if (this.#closing) {
      await this.#s.peer?.close();
      throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'close() was called while connect() was in progress');
    }
  }

  async #connectCached(transport: Transport): Promise<void> {
    // The era is a property of the server: remember the verdict per server for this process.
    const key = transport.eraCacheKey;
    const want = this.#s.options.version ?? 'auto';
    const cached =
      want === 'auto' && this.#s.options.prior === undefined && key !== undefined ? ERA_CACHE.get(key) : undefined;
    if (cached) {
      try {
        await this.#connect(transport, cached === 'legacy' ? 'legacy' : LATEST_PROTOCOL_VERSION);
        return;
      } catch (e) {
        // The server changed (or the verdict was wrong): forget it and probe afresh.
        ERA_CACHE.delete(key!);
        if (!(e instanceof McpError) || this.#closing) throw e;
        await transport.restart?.();
      }
    }
    await this.#connectDetecting(transport, want);
    if (key !== undefined && want === 'auto' && this.era) ERA_CACHE.set(key, this.era);
  }

  async #connectDetecting(transport: Transport, want: Want): Promise<void> {
    try {
      await this.#connect(transport, want);
    } catch (e) {
      // Some legacy servers exit on any request before initialize. A transport that can start its
      // server again (stdio) gets a second life with the plain handshake.
      if (
        !(e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED' && this.#probing && transport.restart) ||
        this.#closing // close() ended it: no fresh process
      )
        throw e;
      await transport.restart();
      if (this.#closing) throw e;
      await this.#connect(transport, 'legacy');
    }
  }

  #probing = false;

  async #connect(transport: Transport, want: Want): Promise<void> {
    this.#probing = false;
    this.#s.transport = transport;
    const peer = new Peer(
      transport,
      {
        onrequest: (req, ctx) => this.#input.serverRequest(req, ctx.signal),
        // 2026-07-28 servers MUST NOT send requests (input travels in InputRequiredResult).
        admits: () => this.era !== 'modern',
        onnotification: (n) => this.#notification(n.method, n.params),
      },
      {
        requestTimeoutMs: this.#s.options.requestTimeoutMs,
        onprotocolerror: this.#s.options.onprotocolerror,
        firstId: this.#s.peer?.nextId,
      },
    );
    this.#s.peer = peer;
    await peer.start();
    try {
      await settle(this.#s, want, (on) => (this.#probing = on));
    } catch (e) {
      await peer.close().catch(() => {});
      throw e;
    }
    peer.onclose = (reason) => this.#lost(peer, reason);
  }

  /** Close the connection (a spawned stdio server is stopped); a `connect()` still in progress is aborted. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#s.peer?.close();
    // A connect in progress unwinds at its next step and closes what it had started by then.
    await this.#connecting;
  }

  /**
   * The connection ended on its own. Subscriptions are told; a transport with a restart policy (stdio
   * `restart`) gets a fresh server, spoken to in the same revision, with the legacy session's resource
   * subscriptions and log level set again; listen subscriptions listen again themselves.
   */
  #lost(peer: Peer, reason: Error | undefined): void {
    if (this.#closing || peer !== this.#s.peer || this.#s.recovering || !this.#s.version) return;
    const why = new TsmcpError('TSMCP_CONNECTION_CLOSED', `Connection lost${reason ? `: ${reason.message}` : ''}`, {
      cause: reason,
    });
    const subs = [...this.#s.legacySubs];
    for (const s of subs) s.interrupted(why);
    const transport = this.#s.transport;
    if (!transport?.allowRestart) {
      for (const s of subs) s.closed(why);
      return;
    }
    this.#s.recovering = this.#recover(transport, this.#s.version, why).then(
      () => {
        this.#s.recovering = undefined;
        for (const s of this.#s.legacySubs) s.reconnected();
      },
      (e: Error) => {
        this.#s.recovering = undefined;
        for (const s of [...this.#s.legacySubs]) s.closed(e);
        throw e;
      },
    );
    this.#s.recovering.catch(() => undefined); // waiters see the failure; nobody else has to
  }

  async #recover(transport: Transport, version: ProtocolVersion, why: Error): Promise<void> {
    for (;;) {
      if (this.#closing || !(await transport.allowRestart!()) || this.#closing) throw why;
      try {
        await this.#connect(transport, version);
        break;
      } catch (e) {
        // The fresh server died during the handshake too: try again while the policy allows.
        if (!(e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED')) throw e;
        why = e;
      }
    }
    if (!isLegacyVersion(version)) return;
    // Straight on the peer: this.request() waits for the recovery this is part of.
    for (const uri of this.#s.legacyHolds.keys()) await this.#s.peer!.request('resources/subscribe', { uri });
    if (this.#logLevel) await this.#s.peer!.request('logging/setLevel', { level: this.#logLevel });
  }

  // ---------------------------------------------------------------- requests

  /**
   * Add a middleware around every request sent through `request()` and the typed methods (requests made by
   * extensions included; not the connection's own handshake nor `subscribe()` streams); the first added is the
   * outermost. See `ClientMiddleware`. Returns the client, for chaining.
   */
  use(middleware: ClientMiddleware): this {
    this.#middleware.push(middleware);
    this.#chain = compose(this.#middleware);
    return this;
  }

  /**
   * Send any request and return its final result: adds `_meta` on 2026-07-28, answers input rounds
   * through the handlers, translates legacy results into the internal model, and uses the cache.
   */
  request(method: string, params: JsonObject = {}, options: CallOptions = {}): Promise<JsonObject> {
    if (this.#chain === undefined) return send(this.#host, method, params, options);
    const req: ClientRequest = { method, params, options, connection: this.#connection };
    return this.#chain(req, () => send(this.#host, req.method, req.params, req.options));
  }

  #notification(method: string, params: JsonObject | undefined): void {
    if (method === 'notifications/elicitation/complete' && !this.#input.elicitationCompleted(params)) return;
    const kind = listChangedOf(method)?.kind;
    if (kind) this.#s.cache?.invalidateList(kind);
    if (method === 'notifications/resources/updated' && typeof params?.uri === 'string')
      this.#s.cache?.invalidateResource(params.uri);
    // Notification params arrive unchecked; onlog gets them as the server sent them (as it always has).
    if (method === 'notifications/message' && params) this.#s.options.onlog?.(params as unknown as LogMessageParams);
    const sub = isObject(params?._meta) ? params._meta[META.subscriptionId] : undefined;
    if (typeof sub === 'string' || typeof sub === 'number') this.#s.listeners.get(sub)?.(method, params!);
    this.#s.options.onnotification?.(method, params);
  }

  // ---------------------------------------------------------------- typed API

  /** `request()` with the params and result types of the request map. */
  #call<M extends RequestMethod>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>> {
    // The one narrowing of a result: `#send` checked it against `method`'s required fields (validateResult),
    // or an extension's follower produced it for this method. Not async (a second promise per call would
    // only add a hop); a subclass's request() that throws still becomes a rejection, as it was.
    try {
      return this.request(method, params, options) as Promise<ResultOf<M>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `server/discover` (2026-07-28 servers). */
  discover(options?: CallOptions): Promise<DiscoverResult> {
    return this.#call('server/discover', {}, options);
  }

  /** `ping` (legacy servers; on 2026-07-28 it maps to a cheap server/discover). */
  async ping(options?: CallOptions): Promise<void> {
    if (this.era === 'modern') await this.request('server/discover', {}, { ...options, noCache: true });
    else await this.request('ping', {}, options);
  }

  async listTools(cursor?: string, options?: CallOptions): Promise<{ tools: Tool[]; nextCursor?: string }> {
    const r = await this.#call('tools/list', cursor === undefined ? {} : { cursor }, options);
    let tools = r.tools;
    const setHeaders = this.#s.transport?.setToolHeaders;
    if (setHeaders) {
      // Over HTTP, a tool whose x-mcp-header annotations are invalid must be dropped (SEP-2243).
      tools = tools.filter((t) => {
        const why = invalidHeaderAnnotation(t.inputSchema);
        if (why)
          this.#s.options.onprotocolerror?.(new TsmcpError('TSMCP_INVALID_RESPONSE', `Dropped tool ${t.name}: ${why}`));
        else setHeaders.call(this.#s.transport, t.name, headerParamsOf(t.inputSchema));
        return !why;
      });
    }
    for (const t of tools) this.#rememberOutputSchema(t);
    return { ...r, tools };
  }
  /** Every tool, across all pages. */
  listAllTools(options?: CallOptions): Promise<Tool[]> {
    return this.#all((c) => this.listTools(c, options), 'tools');
  }

  /**
   * Call a tool; input rounds are answered through the handlers and `structuredContent` is checked
   * against the tool's `outputSchema` (when the tool was seen in a listing). A listed tool whose
   * outputSchema cannot be used (a dialect other than 2020-12 or draft-07, a `$ref` outside the schema,
   * over the size bounds) is refused with `TSMCP_OUTPUT_SCHEMA` before anything is sent.
   */
  callTool(name: string, args: JsonObject = {}, options?: CallOptions): Promise<CallToolResult> {
    const schema = this.#outputSchemas.get(name);
    if (schema instanceof TsmcpError)
      return Promise.reject(new TsmcpError('TSMCP_OUTPUT_SCHEMA', schema.message, { cause: schema.cause }));
    // Most tools declare no outputSchema: their result is the request's own promise (no async wrapper).
    const call = this.#call('tools/call', { name, arguments: args }, options);
    return schema ? this.#checkOutput(name, schema, call) : call;
  }

  async #checkOutput(name: string, schema: CompiledSchema, call: Promise<CallToolResult>): Promise<CallToolResult> {
    const r = await call;
    if (!r.isError) {
      if (r.structuredContent === undefined)
        throw new TsmcpError(
          'TSMCP_OUTPUT_SCHEMA',
          `Tool ${name} declares an outputSchema but returned no structuredContent`,
        );
      const v = await schema.validate(r.structuredContent);
      if (!v.ok) throw new TsmcpError('TSMCP_OUTPUT_SCHEMA', outputMismatch(name, v.issues));
    }
    return r;
  }

  async listPrompts(cursor?: string, options?: CallOptions): Promise<{ prompts: Prompt[]; nextCursor?: string }> {
    return this.#call('prompts/list', cursor === undefined ? {} : { cursor }, options);
  }
  listAllPrompts(options?: CallOptions): Promise<Prompt[]> {
    return this.#all((c) => this.listPrompts(c, options), 'prompts');
  }
  getPrompt(name: string, args?: { [key: string]: string }, options?: CallOptions): Promise<GetPromptResult> {
    return this.#call('prompts/get', args === undefined ? { name } : { name, arguments: args }, options);
  }

  async listResources(cursor?: string, options?: CallOptions): Promise<{ resources: Resource[]; nextCursor?: string }> {
    return this.#call('resources/list', cursor === undefined ? {} : { cursor }, options);
  }
  listAllResources(options?: CallOptions): Promise<Resource[]> {
    return this.#all((c) => this.listResources(c, options), 'resources');
  }
  async listResourceTemplates(
    cursor?: string,
    options?: CallOptions,
  ): Promise<{ resourceTemplates: ResourceTemplate[]; nextCursor?: string }> {
    return this.#call('resources/templates/list', cursor === undefined ? {} : { cursor }, options);
  }
  listAllResourceTemplates(options?: CallOptions): Promise<ResourceTemplate[]> {
    return this.#all((c) => this.listResourceTemplates(c, options), 'resourceTemplates');
  }
  /** Read a resource; legacy -32002 "not found" arrives as McpError like the modern -32602. */
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.#call('resources/read', { uri }, options);
  }

  async complete(params: CompleteParams, options?: CallOptions): Promise<CompleteResult['completion']> {
    return (await this.#call('completion/complete', params, options)).completion;
  }

  /** @deprecated Logging is deprecated since 2026-07-28. Legacy servers only; on 2026-07-28 pass `logLevel` per call. */
  async setLoggingLevel(level: LoggingLevel, options?: CallOptions): Promise<void> {
    if (this.era === 'modern')
      throw new TsmcpError(
        'TSMCP_UNSUPPORTED',
        'logging/setLevel does not exist in 2026-07-28; pass { logLevel } with each call',
      );
    await this.request('logging/setLevel', { level }, options);
    this.#logLevel = level; // set again if the server is restarted
  }

  /**
   * Receive change notifications: `subscriptions/listen` on 2026-07-28 (one stream, demultiplexed by
   * its id), `resources/subscribe` plus the session's list-changed notifications on legacy servers.
   */
  async subscribe(
    filter: SubscriptionFilter,
    onevent: (method: string, params: JsonObject) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return subscribe(this.#s, (method, params) => this.request(method, params), filter, onevent, options);
  }

  #rememberOutputSchema(tool: Tool): void {
    if (!isObject(tool.outputSchema)) {
      this.#outputSchemas.delete(tool.name);
      return;
    }
    // Revisions before 2025-11-25 name no default dialect; their own schemas are draft-07.
    const defaultDialect =
      this.#s.version !== undefined && !supports(this.#s.version, 'jsonSchema2020Default') ? '7' : '2020-12';
    try {
      this.#outputSchemas.set(tool.name, compileSchema(tool.outputSchema, { role: 'output', defaultDialect }));
    } catch (e) {
      // Validating against a schema we cannot read would mean accepting anything: mark the tool unusable.
      const why = new TsmcpError(
        'TSMCP_OUTPUT_SCHEMA',
        `Tool ${tool.name} cannot be used: its outputSchema cannot be validated (${(e as Error).message})`,
        { cause: e },
      );
      this.#outputSchemas.set(tool.name, why);
      this.#s.options.onprotocolerror?.(why);
    }
  }

  async #all<K extends string, T>(
    page: (cursor: string | undefined) => Promise<{ [k in K]: T[] } & { nextCursor?: string }>,
    key: K,
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const r = await page(cursor);
      out.push(...r[key]);
      cursor = r.nextCursor;
      if (cursor !== undefined) {
        if (seen.has(cursor)) throw new TsmcpError('TSMCP_INVALID_RESPONSE', 'Server repeated a pagination cursor');
        seen.add(cursor);
      }
    } while (cursor !== undefined);
    return out;
  }
}

/** The live view a client middleware gets as `req.connection`. */
function connectionView(client: Client, transport: () => Transport | undefined): ClientConnectionInfo {
  return Object.freeze({
    get protocolVersion() {
      return client.protocolVersion;
    },
    get era() {
      return client.era;
    },
    get sessionId() {
      const id = (transport() as { sessionId?: unknown } | undefined)?.sessionId;
      return typeof id === 'string' ? id : undefined;
    },
    get transport() {
      return transport();
    },
  });
}
