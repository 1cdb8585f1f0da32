// The low-level server: a handler per method, and the dual-era rules that pick, per request, whether it
// is a stateless 2026-07-28 request (`_meta` carries version and capabilities) or part of a legacy session.
import { encodeLegacyError, encodeLegacyResult, encodeLegacyServerCapabilities } from '../protocol/codec.js';
import { ErrorCode, McpError, invalidParams, methodNotFound } from '../protocol/errors.js';
import { supports } from '../protocol/features.js';
import type { RequestIdentity } from '../protocol/identity.js';
import {
  isObject,
  isThenable,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcRequest,
  type RequestId,
} from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import {
  LOGGING_LEVELS,
  type CacheHint,
  type ClientCapabilities,
  type Implementation,
  type InputRequests,
  type LoggingLevel,
  type Meta,
  type ServerCapabilities,
  type SubscriptionFilter,
} from '../protocol/types.js';
import { validateRequestParams } from '../protocol/validate.js';
import type { HeaderParam } from '../protocol/x-mcp-header.js';
import {
  LATEST_LEGACY_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  isLegacyVersion,
  isModernVersion,
  type LegacyVersion,
  type ProtocolVersion,
} from '../protocol/versions.js';
import {
  InputRequiredSignal,
  backendSessionOf,
  createContext,
  isValidInputResponse,
  type ContextBackend,
  type RequestContext,
} from './context.js';
import { uriCovers } from '../protocol/uri.js';
import { listChangedOf } from '../protocol/list-changed.js';
import { InMemoryEventBus, type ServerEvent, type ServerEventBus } from './events.js';
import { compose } from '../engine/compose.js';
import { signalOf, type CancelSignal } from '../engine/cancel.js';
import type { Middleware, MiddlewareRequest } from './middleware.js';
import { RequestStateCodec, digest, type RequestStateOptions } from './request-state.js';
import type { ListenFilter, MethodEra } from './extension.js';

/** Handles one request method. Return the result object; throw McpError for a JSON-RPC error. */
export type RequestHandler = (params: JsonObject, ctx: RequestContext) => Promise<JsonObject> | JsonObject;

export interface ServerOptions {
  /** Capabilities to advertise (the high-level McpServer fills these in from what is registered). */
  capabilities?: ServerCapabilities;
  /** Instructions for the model, returned by `server/discover` and `initialize`. */
  instructions?: string;
  /** Revisions to accept. Default: all of SUPPORTED_PROTOCOL_VERSIONS (dual-era). */
  versions?: readonly ProtocolVersion[];
  /** Key and lifetime of the integrity-protected `requestState` of multi round-trip requests. */
  requestState?: RequestStateOptions;
  /** Cache hints put on cacheable results that do not set their own. */
  cache?: { discover?: CacheHint; lists?: CacheHint; read?: CacheHint };
  /** Where change events go. Default: an in-memory bus (one process). */
  events?: ServerEventBus;
  /**
   * Sees every unexpected exception a handler threw (the client only gets a generic error; a `ToolError`
   * or `McpError` is not unexpected: its message goes to the client). Default: `console.error` (stderr
   * on Node, so stdio's stdout stays clean), with the error's stack and the method it failed in. Pass a
   * function to redirect it (to your logger), or `false` to silence it.
   */
  onerror?: ((error: unknown, info: { method: string; requestId: RequestId }) => void) | false;
  /**
   * The principal a request acts for: multi round-trip state, extension state and legacy HTTP sessions are bound
   * to it. Derive it from `identity` (what the transport verified: an auth layer's `auth`, HTTP
   * headers, the stdio process), never from `meta`, which the client writes and can set to anything.
   * Default: `identity.auth.subject`; for a credential with no subject but a client id (an introspected
   * client_credentials token), `oauth-client:<clientId>`, so such clients do not share one anonymous bucket;
   * anonymous when no authentication layer is present.
   */
  principalOf?: (ctx: PrincipalContext) => string | undefined;
  /**
   * Most resource URIs one legacy session may hold with `resources/subscribe` (and one
   * `subscriptions/listen` stream may name, URIs and each extension filter's ids). Over it the request fails with
   * -32602. Default 1000.
   */
  maxResourceSubscriptions?: number;
  /**
   * Longest `uri` (in characters) accepted by `resources/read`, `resources/subscribe`,
   * `resources/unsubscribe` and in a `subscriptions/listen` filter; longer ones fail with -32602
   * before any handler or template matching runs. Default 8192.
   */
  maxUriLength?: number;
}

/** What `principalOf` sees of a request. */
export interface PrincipalContext {
  /** The transport's verified view of the caller. */
  readonly identity: RequestIdentity;
  /** The request's `_meta`: client-written, so never a source of identity on its own. */
  readonly meta: Meta;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

/** The default `onerror`: the real error, stack included, where the operator looks (the client saw a generic one). */
const logUnexpected = (error: unknown, info: { method: string; requestId: RequestId }): void => {
  console.error(
    `tsmcp: ${info.method} (request ${JSON.stringify(info.requestId)}) failed with an unexpected error; the client got a generic message (throw ToolError to send yours; set the server's onerror to redirect or silence this log):`,
    error,
  );
};

const defaultPrincipal = (ctx: PrincipalContext): string | undefined => {
  const auth = ctx.identity.auth;
  if (auth?.subject !== undefined) return auth.subject;
  return auth?.clientId !== undefined ? `oauth-client:${auth.clientId}` : undefined;
};

/** State of one legacy (initialize-based) session: a stdio connection or an HTTP session. */
export interface LegacySession {
  version: LegacyVersion;
  clientCapabilities: ClientCapabilities;
  clientInfo: Implementation | undefined;
  logLevel: LoggingLevel | undefined;
  /** URIs the client subscribed to with `resources/subscribe`. */
  subscriptions: Set<string>;
  initialized: boolean;
  /**
   * Set by the carrier: send a notification on the session itself, outside any request (the stdio
   * connection; the HTTP session's GET stream). Resolves false when there is nowhere to send it.
   */
  notify?: (method: string, params: JsonObject) => Promise<boolean>;
}

/** What the carrier of a request (a connection, an HTTP exchange) offers the dispatcher. */
export interface Channel {
  /** Who sent the request, as the carrier knows it. */
  identity: RequestIdentity;
  /** The legacy session this request belongs to, if any. */
  legacy: LegacySession | undefined;
  /** Start (or restart) a legacy session on this channel. */
  openLegacy(session: LegacySession): void;
  /** Send a notification tied to this request. */
  notify(method: string, params: JsonObject): Promise<void>;
  /** Legacy only: send a server→client request. */
  request?(method: string, params: JsonObject | undefined, signal: AbortSignal): Promise<JsonObject>;
  /** Legacy HTTP only: end this request's SSE stream early; the client resumes with Last-Event-ID. */
  closeStream?(retryMs: number): void;
  /** Aborts when the connection shuts down gracefully: a listen stream then answers with its result. */
  ending?: AbortSignal;
}

/**
 * The legacy session (HTTP session or connection) a request arrived on, if it is a legacy request
 * (extension state may be bound to it). Only #legacy gives a context's backend a session.
 */
export function legacySessionOf(ctx: RequestContext): LegacySession | undefined {
  return backendSessionOf(ctx) as LegacySession | undefined;
}

const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);
const LIST_METHODS = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);
const REMOVED_IN_MODERN = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
]);
const MODERN_ONLY = new Set(['server/discover', 'subscriptions/listen']);

/**
 * Whether `caps` advertise the capability `method` sits behind. A method behind an un-advertised
 * capability is -32601 on both eras, even with a handler registered (MethodNotFoundError, 2026-07-28;
 * legacy revisions: use only what was negotiated).
 */
function advertised(method: string, caps: ServerCapabilities): boolean {
  if (method === 'completion/complete') return caps.completions !== undefined;
  if (method === 'logging/setLevel') return caps.logging !== undefined;
  if (method === 'resources/subscribe' || method === 'resources/unsubscribe') return caps.resources?.subscribe === true;
  if (method.startsWith('tools/')) return caps.tools !== undefined;
  if (method.startsWith('prompts/')) return caps.prompts !== undefined;
  if (method.startsWith('resources/')) return caps.resources !== undefined;
  return true;
}

const URI_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);
const DEFAULT_MAX_SUBSCRIPTIONS = 1000;
const DEFAULT_MAX_URI_LENGTH = 8192;

const DEFAULT_CACHE = {
  discover: { ttlMs: 60_000, cacheScope: 'private' },
  lists: { ttlMs: 30_000, cacheScope: 'private' },
  read: { ttlMs: 0, cacheScope: 'private' },
} as const satisfies { [k: string]: CacheHint };

type Chain = (req: MiddlewareRequest, inner: () => Promise<JsonObject>) => Promise<JsonObject>;

/** A low-level MCP server: register a handler per method, then connect transports or feed it requests. */
export class Server {
  readonly info: Implementation;
  readonly events: ServerEventBus;
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #versions: readonly ProtocolVersion[];
  readonly #legacyVersions: readonly LegacyVersion[];
  readonly #capabilities: ServerCapabilities;
  readonly #instructions: string | undefined;
  readonly #state: RequestStateCodec;
  readonly #cache: { discover: CacheHint; lists: CacheHint; read: CacheHint };
  readonly #onerror: ((error: unknown, info: { method: string; requestId: RequestId }) => void) | undefined;
  readonly #principalOf: (ctx: PrincipalContext) => string | undefined;
  readonly #closers = new Set<() => void>();
  readonly #serverInfoMeta: Meta;
  readonly #maxSubscriptions: number;
  readonly #maxUriLength: number;
  #subscriptionCount = 0;
  readonly #middleware: Middleware[] = [];
  /** The middleware composed once per `use()`; undefined while there is none, so dispatch skips it. */
  #chain: Chain | undefined;

  constructor(info: Implementation, options: ServerOptions = {}) {
    this.info = info;
    this.#versions = options.versions ?? SUPPORTED_PROTOCOL_VERSIONS;
    this.#legacyVersions = this.#versions.filter(isLegacyVersion);
    this.#capabilities = options.capabilities ?? {};
    this.#instructions = options.instructions;
    this.#state = new RequestStateCodec(options.requestState);
    this.#cache = { ...DEFAULT_CACHE, ...options.cache };
    this.events = options.events ?? new InMemoryEventBus();
    this.#onerror = options.onerror === false ? undefined : (options.onerror ?? logUnexpected);
    this.#principalOf = options.principalOf ?? defaultPrincipal;
    this.#serverInfoMeta = { [META.serverInfo]: info };
    this.#maxSubscriptions = options.maxResourceSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
    this.#maxUriLength = options.maxUriLength ?? DEFAULT_MAX_URI_LENGTH;
  }

  /**
   * The public fingerprint of the requestState signing key (see RequestStateCodec.fingerprint), or
   * undefined when no key was configured (a random key of this process, which a fleet cannot share).
   */
  async requestStateFingerprint(): Promise<string | undefined> {
    return this.#state.configured ? this.#state.fingerprint() : undefined;
  }

  /** Resource subscriptions (`resources/subscribe`) held by open legacy sessions, for monitoring. */
  get legacySubscriptionCount(): number {
    return this.#subscriptionCount;
  }

  /** A legacy session ended (connection closed, HTTP session deleted or expired): drop its state. */
  endLegacySession(session: LegacySession): void {
    this.#subscriptionCount -= session.subscriptions.size;
    session.subscriptions.clear();
    for (const listener of this.#sessionEndListeners) listener(session);
  }

  /**
   * A legacy session another instance opened, rebuilt here from a shared store (an HTTP fleet): counted
   * like one opened by `initialize`, and ended the same way (`endLegacySession`).
   */
  restoreLegacySession(
    state: Omit<LegacySession, 'subscriptions' | 'notify'> & { subscriptions: Iterable<string> },
  ): LegacySession {
    const session: LegacySession = { ...state, subscriptions: new Set(state.subscriptions) };
    this.#subscriptionCount += session.subscriptions.size;
    return session;
  }

  /** A restored session's resource subscriptions changed on another instance: take them over. */
  setLegacySubscriptions(session: LegacySession, uris: Iterable<string>): void {
    this.#subscriptionCount -= session.subscriptions.size;
    session.subscriptions = new Set(uris);
    this.#subscriptionCount += session.subscriptions.size;
  }

  readonly #sessionEndListeners = new Set<(session: LegacySession) => void>();

  /** Be told when a legacy session ends (state bound to it can go). Returns an unsubscribe. */
  onLegacySessionEnd(listener: (session: LegacySession) => void): () => void {
    this.#sessionEndListeners.add(listener);
    return () => this.#sessionEndListeners.delete(listener);
  }

  readonly #legacyCapabilities: ((version: LegacyVersion) => JsonObject | undefined)[] = [];
  readonly #listenFilters = new Map<string, ListenFilter>();
  readonly #resultTypes = new Map<string, readonly string[]>();
  readonly #eras = new Map<string, MethodEra>();

  /** Extension seam: top-level capabilities a legacy `initialize` result gets from an extension. */
  addLegacyCapabilities(contribute: (version: LegacyVersion) => JsonObject | undefined): void {
    this.#legacyCapabilities.push(contribute);
  }

  /**
   * Extension seam: a `subscriptions/listen` filter key. Values the filter's `authorize` leaves out are
   * dropped from the acknowledged filter, as unsupported entries are; without a filter the key is ignored.
   */
  addListenFilter(key: string, filter: ListenFilter): void {
    this.#listenFilters.set(key, filter);
  }

  /** Extension seam: `resultType` may only answer `methods` (a handler elsewhere is a bug: -32603, onerror). */
  declareResultType(resultType: string, methods: readonly string[]): void {
    this.#resultTypes.set(resultType, methods);
  }

  /** The `x-mcp-header` parameters of a tool, for HTTP header checks (set by McpServer). */
  toolHeaders?: (toolName: string) => HeaderParam[] | undefined;

  /** The scopes a request's tool, resource or prompt was registered with (set by McpServer). */
  scopesOf?: (method: string, params: JsonObject) => readonly string[] | undefined;

  /** The revisions this server accepts (the `versions` option). */
  get versions(): readonly ProtocolVersion[] {
    return this.#versions;
  }

  /** Capabilities as advertised (live object: McpServer adds to it as features are registered). */
  get capabilities(): ServerCapabilities {
    return this.#capabilities;
  }

  /** The principal a request acts for (the `principalOf` option; a RequestContext will do), if any. */
  principal(ctx: PrincipalContext): string | undefined {
    return this.#principalOf(ctx);
  }

  /** Whether this server answers `method` on the 2026-07-28 wire (registered handlers and built-ins). */
  handles(method: string): boolean {
    return (
      !REMOVED_IN_MODERN.has(method) &&
      this.#eras.get(method) !== 'legacy' &&
      (this.#handlers.has(method) || MODERN_ONLY.has(method)) &&
      advertised(method, this.#capabilities)
    );
  }

  /** Register (or replace) the handler of a request method; `era` limits the wires it exists on (default both). */
  setRequestHandler(method: string, handler: RequestHandler, options: { era?: MethodEra } = {}): void {
    this.#handlers.set(method, handler);
    if (options.era && options.era !== 'both') this.#eras.set(method, options.era);
    else this.#eras.delete(method);
  }

  /**
   * Announce a change to every connected client that asked for it. With a shared bus the result may be a
   * promise that rejects (RedisEventBus: an event over its size bound): await it, or use `announce`.
   */
  publish(event: ServerEvent): void | Promise<void> {
    return this.events.publish(event);
  }

  /**
   * `publish` for code that does not wait (registration changes, task status): a bus that throws or rejects
   * reports that itself (RedisEventBus: its `onerror` and `stats`), so the raising code path never fails for it.
   */
  announce(event: ServerEvent): void {
    try {
      const done = this.events.publish(event);
      if (done) done.catch(() => undefined);
    } catch {
      // See above: the bus reports its own failures.
    }
  }

  /** End open `subscriptions/listen` streams gracefully (they answer with a SubscriptionsListenResult). */
  closeSubscriptions(): void {
    for (const c of [...this.#closers]) c();
  }

  /** Map an unexpected handler exception to the generic error the client sees. */
  unexpected(error: unknown, request: JsonRpcRequest): JsonRpcErrorObject {
    this.#onerror?.(error, { method: request.method, requestId: request.id });
    return { code: ErrorCode.InternalError, message: 'Internal error' };
  }

  /**
   * Add a middleware around every request this server answers (every transport, both eras); the first
   * added is the outermost. See `Middleware`. Returns the server, for chaining.
   */
  use(middleware: Middleware): this {
    this.#middleware.push(middleware);
    this.#chain = compose(this.#middleware);
    return this;
  }

  /**
   * Answer one request arriving on `channel`. Resolves with the result to send; throws McpError for a
   * JSON-RPC error (already translated for the request's revision). `signal` may be a lazy source
   * (`aborted`, and `signal` built on first access): the AbortSignal is then made only if a handler or
   * middleware reads it.
   */
  dispatch(
    request: JsonRpcRequest,
    channel: Channel,
    signal: AbortSignal | { readonly aborted: boolean; readonly signal: AbortSignal },
  ): Promise<JsonObject> {
    return this.#chain === undefined
      ? this.#route(request, channel, signal)
      : this.#wrapped(this.#chain, request, channel, signal);
  }

  /**
   * `dispatch` for a carrier that takes a result as it comes (the HTTP core): a result ready at once (a
   * synchronous handler, a built-in) is returned as is, and an error found before any await is thrown, so
   * such a request costs no promise and no suspended frame here or in the carrier. @internal
   */
  dispatchNow(
    request: JsonRpcRequest,
    channel: Channel,
    signal: AbortSignal | { readonly aborted: boolean; readonly signal: AbortSignal },
  ): JsonObject | Promise<JsonObject> {
    return this.#chain === undefined
      ? this.#routeNow(request, channel, signal)
      : this.#wrapped(this.#chain, request, channel, signal);
  }

  /** Run the middleware chain around #route, on a channel whose notifications the chain can observe. */
  #wrapped(chain: Chain, request: JsonRpcRequest, channel: Channel, signal: CancelSignal): Promise<JsonObject> {
    const { method } = request;
    const params = request.params ?? {};
    const meta: Meta = isObject(params._meta) ? params._meta : {};
    const version = meta[META.protocolVersion];
    const listeners: ((method: string, params: JsonObject) => void)[] = [];
    // Member by member, not a spread: a carrier's channel may keep its methods on a prototype (HTTP's PostChannel).
    const observed: Channel = {
      identity: channel.identity,
      legacy: channel.legacy,
      openLegacy: (s) => channel.openLegacy(s),
      request: channel.request && ((m, p, s) => channel.request!(m, p, s)),
      closeStream: channel.closeStream && ((ms) => channel.closeStream!(ms)),
      ending: channel.ending,
      notify: (m, p) => {
        for (const l of listeners) {
          try {
            l(m, p);
          } catch (e) {
            this.#onerror?.(e, { method, requestId: request.id });
          }
        }
        return channel.notify(m, p);
      },
    };
    const req: MiddlewareRequest = {
      method,
      params,
      requestId: request.id,
      meta,
      identity: channel.identity,
      principal: this.#principalOf({ identity: channel.identity, meta }),
      era: version !== undefined ? 'modern' : method === 'initialize' || channel.legacy ? 'legacy' : undefined,
      protocolVersion:
        version !== undefined
          ? typeof version === 'string'
            ? version
            : undefined
          : method === 'initialize'
            ? undefined
            : channel.legacy?.version,
      signal: signalOf(signal),
      onnotification: (l) => void listeners.push(l),
      scopesOf: (m, p) => this.scopesOf?.(m, p) ?? NO_SCOPES,
    };
    return chain(req, () => this.#route(request, observed, signal));
  }

  /** #routeNow as a promise (dispatch's contract). */
  #route(request: JsonRpcRequest, channel: Channel, signal: CancelSignal): Promise<JsonObject> {
    try {
      const result = this.#routeNow(request, channel, signal);
      return isThenable(result) ? result : Promise.resolve(result);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Picks the era. Not async: an async wrapper around the era's promise costs a promise and ticks per
   * request; a result ready at once is returned as is, an early error is thrown (the callers wrap both).
   */
  #routeNow(request: JsonRpcRequest, channel: Channel, signal: CancelSignal): JsonObject | Promise<JsonObject> {
    const { method } = request;
    const params = request.params ?? {};
    const meta: Meta = isObject(params._meta) ? params._meta : {};
    // A request that carries its version in `_meta` is modern, whatever its method (initialize included:
    // removed in 2026-07-28, so -32601). Without it, initialize opens a legacy session.
    const version = meta[META.protocolVersion];
    if (version !== undefined) return this.#modern(request, params, meta, version, channel, signal);
    if (method === 'initialize') return this.#initialize(params, channel);

    const session = channel.legacy;
    if (session) return this.#legacy(request, params, meta, session, channel, signal);
    if (method === 'ping') return {};
    throw invalidParams(
      `Missing required _meta field "${META.protocolVersion}": send it with every request (protocol 2026-07-28), or call initialize first (earlier revisions)`,
      undefined,
      400,
    );
  }

  // ---------------------------------------------------------------- modern (2026-07-28)

  /**
   * Not async: a synchronous handler's result is checked and returned at once (no promise, no suspended
   * frame per request); a retry carrying requestState, and a handler's promise, continue in async helpers.
   */
  #modern(
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    version: unknown,
    channel: Channel,
    signal: CancelSignal,
  ): JsonObject | Promise<JsonObject> {
    const { method } = request;
    if (!isModernVersion(version) || !this.#versions.includes(version)) {
      throw new McpError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', {
        supported: [...this.#versions],
        requested: typeof version === 'string' ? version : JSON.stringify(version),
      });
    }
    const caps = meta[META.clientCapabilities];
    if (!isObject(caps)) {
      throw invalidParams(
        `Missing required _meta field "${META.clientCapabilities}" (send {} when the client has none)`,
        undefined,
        400,
      );
    }
    const logLevel = meta[META.logLevel];
    if (
      logLevel !== undefined &&
      !(typeof logLevel === 'string' && (LOGGING_LEVELS as readonly string[]).includes(logLevel))
    ) {
      throw invalidParams(`Invalid _meta "${META.logLevel}": expected one of ${LOGGING_LEVELS.join(', ')}`);
    }
    if (REMOVED_IN_MODERN.has(method) || this.#eras.get(method) === 'legacy' || !advertised(method, this.#capabilities))
      throw methodNotFound(method);
    const invalid = validateRequestParams(method, params) ?? this.#uriLimits(method, params);
    if (invalid) throw invalid;

    if (method === 'server/discover') return this.#discover();
    if (method === 'subscriptions/listen')
      return this.#listen(request, params, meta, channel, signalOf(signal), caps as ClientCapabilities);

    const handler = this.#handlers.get(method);
    if (!handler) throw methodNotFound(method);

    const mrtr = MRTR_METHODS.has(method);
    // Most calls carry no requestState: no answers, no digest, and nothing to await before the handler.
    if (mrtr && typeof params.requestState === 'string')
      return this.#modernRetry(request, params, meta, version, caps, logLevel, channel, signal, handler);
    return this.#modernCall(request, params, meta, version, caps, logLevel, channel, signal, handler, mrtr);
  }

  /** A retry of a multi round-trip request: its requestState opened (answers gathered) before the handler runs. */
  async #modernRetry(
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    version: ProtocolVersion,
    caps: JsonObject,
    logLevel: unknown,
    channel: Channel,
    signal: CancelSignal,
    handler: RequestHandler,
  ): Promise<JsonObject> {
    // The request digest binds requestState to this request; computed only when state is in play.
    const requestDigest = await digest(identityOf(request.method, params));
    const principal = this.#principalOf({ identity: channel.identity, meta }); // only when state is in play
    const payload = await this.#state.open(params.requestState as string, requestDigest, principal);
    const answers: { [key: string]: unknown } = { ...payload.a };
    const responses = isObject(params.inputResponses) ? params.inputResponses : {};
    for (const key in payload.q) {
      // Only answers to what was asked, in the shape its method promises; anything else is ignored.
      if (key in responses && isValidInputResponse(payload.q[key]!, responses[key])) answers[key] = responses[key];
    }
    return this.#modernCall(request, params, meta, version, caps, logLevel, channel, signal, handler, true, {
      answers,
      requestDigest,
    });
  }

  /** Run the handler; a result it returns synchronously is finished here, without a promise. */
  #modernCall(
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    version: ProtocolVersion,
    caps: JsonObject,
    logLevel: unknown,
    channel: Channel,
    signal: CancelSignal,
    handler: RequestHandler,
    mrtr: boolean,
    // Only when a requestState came back (a retry); most calls carry none, so no object for them.
    state?: { answers: { [key: string]: unknown }; requestDigest: string },
  ): JsonObject | Promise<JsonObject> {
    const { method } = request;
    const clientInfo = isObject(meta[META.clientInfo])
      ? (meta[META.clientInfo] as unknown as Implementation)
      : undefined;
    const backend: ContextBackend = {
      channel,
      logLevel: logLevel as LoggingLevel | undefined,
      loggingEnabled: this.#capabilities.logging !== undefined,
      loggingUndeclared: this.#capabilities.logging === undefined,
      answers: state?.answers,
    };
    const ctx = createContext({
      requestId: request.id,
      method,
      signal,
      era: 'modern',
      protocolVersion: version,
      clientCapabilities: caps as ClientCapabilities,
      clientInfo,
      meta,
      identity: channel.identity,
      backend,
    });
    let result: JsonObject | Promise<JsonObject>;
    try {
      result = handler(params, ctx);
    } catch (e) {
      ctx.finish();
      return this.#modernThrew(e, request, params, meta, channel, mrtr, state);
    }
    if (isThenable(result)) return this.#modernSettle(result, ctx, request, params, meta, channel, mrtr, state);
    ctx.finish();
    return this.#modernResult(request, result, mrtr);
  }

  /** The rest of #modernCall for a handler that returned a promise. */
  async #modernSettle(
    pending: Promise<JsonObject>,
    ctx: { finish(): void },
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    channel: Channel,
    mrtr: boolean,
    state: { answers: { [key: string]: unknown }; requestDigest: string } | undefined,
  ): Promise<JsonObject> {
    let result: JsonObject;
    try {
      result = await pending;
    } catch (e) {
      ctx.finish();
      return this.#modernThrew(e, request, params, meta, channel, mrtr, state);
    }
    ctx.finish();
    return this.#modernResult(request, result, mrtr);
  }

  /** A handler threw: an InputRequiredSignal ends the round with an InputRequiredResult, anything else goes on. */
  #modernThrew(
    e: unknown,
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    channel: Channel,
    mrtr: boolean,
    state: { answers: { [key: string]: unknown }; requestDigest: string } | undefined,
  ): Promise<JsonObject> {
    if (!(e instanceof InputRequiredSignal)) throw e;
    if (!mrtr) throw new McpError(ErrorCode.InternalError, 'Internal error');
    return this.#inputRequiredFor(
      e.requests,
      request.method,
      params,
      state,
      this.#principalOf({ identity: channel.identity, meta }),
    );
  }

  async #inputRequiredFor(
    requests: InputRequests,
    method: string,
    params: JsonObject,
    state: { answers: { [key: string]: unknown }; requestDigest: string } | undefined,
    principal: string | undefined,
  ): Promise<JsonObject> {
    const d = state?.requestDigest ?? (await digest(identityOf(method, params)));
    return this.#inputRequired(requests, state?.answers ?? {}, d, principal);
  }

  /** A handler's result, checked (resultType) and finished for the wire. */
  #modernResult(request: JsonRpcRequest, result: JsonObject, mrtr: boolean): JsonObject {
    const { method } = request;
    const only = typeof result.resultType === 'string' ? this.#resultTypes.get(result.resultType) : undefined;
    if (only && !only.includes(method)) {
      this.#onerror?.(
        new Error(
          `Handler of ${method} returned resultType ${String(result.resultType)}, which only ${only.join(', ')} may`,
        ),
        { method, requestId: request.id },
      );
      throw new McpError(ErrorCode.InternalError, 'Internal error');
    }
    if (result.resultType === 'input_required' && !mrtr) {
      this.#onerror?.(
        new Error(
          `Handler of ${method} returned input_required, which only tools/call, prompts/get and resources/read may`,
        ),
        { method, requestId: request.id },
      );
      throw new McpError(ErrorCode.InternalError, 'Internal error');
    }
    return this.#finishModern(method, result);
  }

  async #inputRequired(
    requests: InputRequests,
    answers: { [key: string]: unknown },
    d: string,
    principal: string | undefined,
  ): Promise<JsonObject> {
    const asked: { [key: string]: string } = {};
    for (const key in requests) asked[key] = requests[key]!.method;
    const requestState = await this.#state.seal({
      d,
      e: Date.now() + this.#state.ttlMs,
      a: answers,
      q: asked,
      ...(principal ? { p: principal } : {}),
    });
    return { resultType: 'input_required', inputRequests: requests, requestState, _meta: this.#serverInfoMeta };
  }

  #finishModern(method: string, result: JsonObject): JsonObject {
    // A copy (the handler's object may be shared or frozen), made key by key: an object spread here cost
    // about a microsecond per request (17% of an in-process tools/call dispatch), the loop a fraction of it.
    // Own enumerable string keys, in their order, as the spread copied them (a symbol key never reaches the wire).
    const out: JsonObject = {};
    for (const k in result) {
      if (!Object.hasOwn(result, k)) continue;
      // An own "__proto__" key (JSON.parse makes them) stays a key, as the spread defined it, not a prototype.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: result[k], enumerable: true, writable: true, configurable: true });
      else out[k] = result[k];
    }
    if (out.resultType === undefined) out.resultType = 'complete';
    const meta = out._meta;
    out._meta = isObject(meta) ? { ...this.#serverInfoMeta, ...meta } : this.#serverInfoMeta;
    if (out.resultType === 'complete') {
      const hint = LIST_METHODS.has(method)
        ? this.#cache.lists
        : method === 'resources/read'
          ? this.#cache.read
          : undefined;
      if (hint) {
        if (out.ttlMs === undefined) out.ttlMs = hint.ttlMs;
        if (out.cacheScope === undefined) out.cacheScope = hint.cacheScope;
      }
    }
    return out;
  }

  #discover(): JsonObject {
    const result: JsonObject = {
      resultType: 'complete',
      supportedVersions: [...this.#versions],
      capabilities: this.#capabilities,
      _meta: this.#serverInfoMeta,
      ttlMs: this.#cache.discover.ttlMs,
      cacheScope: this.#cache.discover.cacheScope,
    };
    if (this.#instructions !== undefined) result.instructions = this.#instructions;
    return result;
  }

  /** A `subscriptions/listen` stream: acknowledge, forward matching events, end on cancel or close. */
  async #listen(
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    channel: Channel,
    signal: AbortSignal,
    clientCaps: ClientCapabilities,
  ): Promise<JsonObject> {
    const asked = params.notifications as SubscriptionFilter;
    const caps = this.#capabilities;
    const honoured: SubscriptionFilter = {};
    if (asked.toolsListChanged && caps.tools?.listChanged) honoured.toolsListChanged = true;
    if (asked.promptsListChanged && caps.prompts?.listChanged) honoured.promptsListChanged = true;
    if (asked.resourcesListChanged && caps.resources?.listChanged) honoured.resourcesListChanged = true;
    if (asked.resourceSubscriptions && caps.resources?.subscribe)
      honoured.resourceSubscriptions = [...asked.resourceSubscriptions];
    // Extension keys: only for clients that declared the extension, and only what the caller may follow.
    for (const [key, filter] of this.#listenFilters) {
      const values = (asked as JsonObject)[key];
      if (!Array.isArray(values) || !caps.extensions?.[filter.extension]) continue;
      if (!isObject(clientCaps.extensions) || !(filter.extension in clientCaps.extensions)) {
        throw new McpError(
          ErrorCode.MissingRequiredClientCapability,
          `The listen filter ${key} needs the ${filter.extension} extension`,
          { requiredCapabilities: { extensions: { [filter.extension]: {} } } },
        );
      }
      const ids = [...new Set(values.filter((x): x is string => typeof x === 'string'))];
      // Each value may cost the extension a lookup: bounded like resource URIs.
      if (ids.length > this.#maxSubscriptions)
        throw invalidParams(
          `Too many ${key}: ${ids.length}, the limit is ${this.#maxSubscriptions} (maxResourceSubscriptions)`,
        );
      (honoured as JsonObject)[key] = await filter.authorize(ids, { identity: channel.identity, meta });
    }
    const subMeta = { [META.subscriptionId]: request.id };
    await channel.notify('notifications/subscriptions/acknowledged', { _meta: subMeta, notifications: honoured });
    const unsubscribe = this.events.subscribe((event) => {
      if (signal.aborted) return;
      const p = notificationFor(event, honoured);
      if (p)
        void channel.notify(
          p.method,
          p.params
            ? { ...p.params, _meta: subMeta }
            : p.uri === undefined
              ? { _meta: subMeta }
              : { _meta: subMeta, uri: p.uri },
        );
    });
    await new Promise<void>((resolve) => {
      const close = () => {
        this.#closers.delete(close);
        signal.removeEventListener('abort', close);
        channel.ending?.removeEventListener('abort', close);
        resolve();
      };
      this.#closers.add(close);
      signal.addEventListener('abort', close, { once: true });
      if (channel.ending?.aborted) close();
      else channel.ending?.addEventListener('abort', close, { once: true });
    });
    unsubscribe();
    return { resultType: 'complete', _meta: { ...this.#serverInfoMeta, ...subMeta } };
  }

  /** -32602 when a request names a URI over maxUriLength, or a listen filter too many or too long URIs. */
  #uriLimits(method: string, params: JsonObject): McpError | undefined {
    // Most requests name no URI: answer without building anything (this runs on every request).
    if (URI_METHODS.has(method)) return this.#uriTooLong(params.uri as string);
    if (method !== 'subscriptions/listen') return undefined;
    const uris = (params.notifications as SubscriptionFilter).resourceSubscriptions ?? [];
    if (uris.length > this.#maxSubscriptions) {
      return invalidParams(
        `Too many resource subscriptions: ${uris.length}, the limit is ${this.#maxSubscriptions} (maxResourceSubscriptions)`,
      );
    }
    for (const uri of uris) {
      const tooLong = this.#uriTooLong(uri);
      if (tooLong) return tooLong;
    }
    return undefined;
  }

  #uriTooLong(uri: string): McpError | undefined {
    if (uri.length <= this.#maxUriLength) return undefined;
    return invalidParams(`URI too long: ${uri.length} characters, the limit is ${this.#maxUriLength} (maxUriLength)`);
  }

  // ---------------------------------------------------------------- legacy (≤ 2025-11-25)

  /** Legacy resources/subscribe (add) and unsubscribe (remove), bounded per session. */
  #subscribe(session: LegacySession, uri: string, add: boolean): void {
    const had = session.subscriptions.has(uri);
    if (!add) {
      if (had) this.#subscriptionCount--;
      session.subscriptions.delete(uri);
      return;
    }
    if (had) return;
    if (session.subscriptions.size >= this.#maxSubscriptions) {
      throw invalidParams(
        `Too many resource subscriptions: this session holds ${session.subscriptions.size}, the limit is ${this.#maxSubscriptions} (maxResourceSubscriptions); unsubscribe first`,
      );
    }
    session.subscriptions.add(uri);
    this.#subscriptionCount++;
  }

  #initialize(params: JsonObject, channel: Channel): JsonObject {
    const invalid = validateRequestParams('initialize', params);
    if (invalid) throw invalid;
    if (this.#legacyVersions.length === 0) {
      throw new McpError(ErrorCode.UnsupportedProtocolVersion, 'This server does not speak the initialize handshake', {
        supported: [...this.#versions],
        requested: String(params.protocolVersion),
      });
    }
    const requested = params.protocolVersion as string;
    const version = (this.#legacyVersions as readonly string[]).includes(requested)
      ? (requested as LegacyVersion)
      : (this.#legacyVersions[0] ?? LATEST_LEGACY_VERSION);
    if (channel.legacy) this.endLegacySession(channel.legacy); // a second initialize replaces the session
    channel.openLegacy({
      version,
      clientCapabilities: params.capabilities as ClientCapabilities,
      clientInfo: params.clientInfo as Implementation,
      logLevel: undefined,
      subscriptions: new Set(),
      initialized: false,
    });
    let capabilities: JsonObject = encodeLegacyServerCapabilities(this.#capabilities, version) as JsonObject;
    for (const contribute of this.#legacyCapabilities) {
      const extra = contribute(version);
      if (extra) capabilities = { ...capabilities, ...extra };
    }
    const result: JsonObject = {
      protocolVersion: version,
      capabilities,
      serverInfo: legacyImplementation(this.info, version),
    };
    if (this.#instructions !== undefined) result.instructions = this.#instructions;
    return result;
  }

  async #legacy(
    request: JsonRpcRequest,
    params: JsonObject,
    meta: Meta,
    session: LegacySession,
    channel: Channel,
    signal: CancelSignal,
  ): Promise<JsonObject> {
    const { method } = request;
    if (MODERN_ONLY.has(method) || this.#eras.get(method) === 'modern' || !advertised(method, this.#capabilities))
      throw methodNotFound(method);
    const invalid = validateRequestParams(method, params) ?? this.#uriLimits(method, params);
    if (invalid) throw invalid;
    switch (method) {
      case 'ping':
        return {};
      case 'logging/setLevel':
        session.logLevel = params.level as LoggingLevel;
        return {};
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        this.#subscribe(session, params.uri as string, method === 'resources/subscribe');
        return {};
    }
    const handler = this.#handlers.get(method);
    if (!handler) throw methodNotFound(method);
    const backend: ContextBackend = {
      channel,
      logLevel: session.logLevel,
      loggingEnabled: this.#capabilities.logging !== undefined,
      loggingUndeclared: this.#capabilities.logging === undefined,
      session,
    };
    const ctx = createContext({
      requestId: request.id,
      method,
      signal,
      era: 'legacy',
      protocolVersion: session.version,
      clientCapabilities: session.clientCapabilities,
      clientInfo: session.clientInfo,
      meta,
      identity: channel.identity,
      backend,
    });
    try {
      const result = await handler(params, ctx);
      if (result.resultType === 'input_required') {
        this.#onerror?.(
          new Error(`Handler of ${method} returned input_required to a legacy client; use ctx.elicit() and friends`),
          { method, requestId: request.id },
        );
        throw new McpError(ErrorCode.InternalError, 'Internal error');
      }
      return encodeLegacyResult(method, result, session.version);
    } catch (e) {
      if (e instanceof McpError) {
        const wire = e.toJSON();
        const err = encodeLegacyError(wire, method === 'resources/read' && isObject(e.data) && 'uri' in e.data);
        // Unchanged for the era: the error as thrown (an InsufficientScopeError keeps its class for the HTTP 403).
        if (err === wire) throw e;
        throw new McpError(err.code, err.message, err.data);
      }
      throw e;
    } finally {
      ctx.finish();
    }
  }
}

/** The request's identity for binding `requestState`: method plus what selects and parametrises it. */
function identityOf(method: string, params: JsonObject): unknown {
  return method === 'resources/read' ? [method, params.uri] : [method, params.name, params.arguments ?? {}];
}

function notificationFor(
  event: ServerEvent,
  f: SubscriptionFilter,
): { method: string; uri?: string; params?: JsonObject } | undefined {
  const list = listChangedOf(event.type);
  if (list) return f[list.filter] ? { method: list.method } : undefined;
  switch (event.type) {
    case 'resources/updated':
      return f.resourceSubscriptions?.some((w) => uriCovers(w, event.uri))
        ? { method: 'notifications/resources/updated', uri: event.uri }
        : undefined;
    case 'extension': {
      const listed = (f as JsonObject)[event.key];
      return Array.isArray(listed) && listed.includes(event.value)
        ? { method: event.method, params: event.params as JsonObject }
        : undefined;
    }
  }
}

/** The legacy notification (if any) a session should get for an event. */
export function legacyNotificationFor(
  event: ServerEvent,
  session: LegacySession,
  caps: ServerCapabilities,
): { method: string; params?: JsonObject } | undefined {
  if (!session.initialized) return undefined;
  const list = listChangedOf(event.type);
  if (list) return caps[list.kind]?.listChanged ? { method: list.method } : undefined;
  switch (event.type) {
    case 'resources/updated':
      return [...session.subscriptions].some((w) => uriCovers(w, event.uri))
        ? { method: 'notifications/resources/updated', params: { uri: event.uri } }
        : undefined;
  }
}

function legacyImplementation(info: Implementation, version: LegacyVersion): Implementation {
  if (supports(version, 'icons')) return info; // that revision's Implementation has every field ours has
  const out: Implementation = { name: info.name, version: info.version };
  if (supports(version, 'titles') && info.title !== undefined) out.title = info.title;
  return out;
}
