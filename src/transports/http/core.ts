// The transport-neutral Streamable HTTP core: one endpoint, both eras. Fronts (web.ts, node.ts) adapt a
// platform's request/response to CoreRequest/CoreResponse; nothing here knows Node or Web objects.
import { LazyAbortController, signalOf, type CancelSignal } from '../../engine/cancel.js';
import { ErrorCode, InsufficientScopeError, McpError, toJsonRpcError } from '../../protocol/errors.js';
import { supports } from '../../protocol/features.js';
import type { AuthInfo, RequestIdentity } from '../../protocol/identity.js';
import {
  classify,
  isObject,
  isThenable,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type RequestId,
} from '../../protocol/jsonrpc.js';
import { META } from '../../protocol/meta.js';
import type { Meta } from '../../protocol/types.js';
import { isLegacyVersion, isModernVersion } from '../../protocol/versions.js';
import type { Channel, LegacySession, Server } from '../../server/server.js';
import { InMemoryEventStore, type EventStore } from './event-store.js';
import { checkRequestHeaders } from './headers.js';
import { LegacySessions, clientKey, type HttpSession } from './legacy-sessions.js';
import type { SessionChange, SessionStore } from './session-store.js';
import { securityCheck, type SecurityCheck, type SecurityOptions } from '../shared/security.js';
import { SseStream, type StreamSink } from './sse-stream.js';

export type { StreamSink };

export interface CoreRequest {
  /** HTTP method, upper case. */
  method: string;
  /** A request header by lower-case name. */
  header(name: string): string | null | undefined;
  /** The body as text, or undefined when it is longer than `limit` bytes. */
  text(limit: number): Promise<string | undefined>;
  /**
   * Fires when the client goes away. A front may instead give a lazy source (`aborted`, and `signal` built on
   * first access), so no AbortSignal is made for a request whose handler never reads `ctx.signal` (most).
   */
  signal: AbortSignal | { readonly aborted: boolean; readonly signal: AbortSignal };
  /** The peer's network address, when the front knows it (keys `maxSessionsPerClient`, shown in `ctx.identity`). */
  remoteAddress?: string | undefined;
  /** Credentials an authentication layer in front of MCP verified (e.g. Express middleware's `req.auth`). */
  auth?: AuthInfo | undefined;
  /** The request's path (no query), when the front knows it: serves `auth`'s metadata documents. */
  path?: string | undefined;
  /** Set by the core once the caller is identified; fronts leave it unset. */
  identity?: RequestIdentity;
  /** Headers the auth layer added for this request's answer (set by the core; fronts leave it unset). */
  responseHeaders?: HeaderMap;
}

/** The request as the `authenticate` option sees it. */
export interface AuthenticateRequest {
  readonly method: string;
  header(name: string): string | undefined;
  readonly remoteAddress?: string | undefined;
  /** What a layer in front of MCP already verified, if anything. */
  readonly auth?: AuthInfo | undefined;
  /** The request's path (no query) as the front sees it (a DPoP proof signs the URL), when the front knows it. */
  readonly path?: string | undefined;
  /** Adds a header (lower-case name) to this request's answer, whatever it turns out to be (e.g. `dpop-nonce`). */
  responseHeader(name: string, value: string): void;
}

/** The caller of a request `handle()` identified (every route runs after that step). */
function identityOf(req: CoreRequest): RequestIdentity {
  return (req.identity ??= new HttpIdentity(req, req.auth));
}

/** One request's caller as HTTP knows it: its headers, its address and verified credentials. */
class HttpIdentity implements RequestIdentity {
  readonly transport = 'http';
  constructor(
    readonly req: CoreRequest,
    readonly auth: AuthInfo | undefined,
  ) {}
  get remoteAddress(): string | undefined {
    return this.req.remoteAddress;
  }
  header(name: string): string | undefined {
    return this.req.header(name.toLowerCase()) ?? undefined;
  }
}

export type HeaderMap = { [name: string]: string };

/**
 * A resource-server layer (tsmcp/auth's `protectedResource()`): verifies every MCP request like the
 * `authenticate` option, and serves its metadata documents (RFC 9728) at their well-known paths.
 */
export interface HttpAuth {
  /** As the `authenticate` option; a refusal's McpError `httpHeaders` (e.g. `WWW-Authenticate`) go out with it. */
  authenticate(request: AuthenticateRequest): AuthInfo | undefined | Promise<AuthInfo | undefined>;
  /** The JSON document a GET of `path` answers with, or undefined when `path` is not one of its. */
  metadataAt?(path: string): string | undefined;
  /**
   * The refusal for a request that needs `scopes` (an `InsufficientScopeError`: a tool registered with
   * `scopes`) its credentials `auth` lack: a 403 whose `WWW-Authenticate` names every scope needed
   * (the resource's own with `scopes`). Without it the 403 goes out with no challenge.
   */
  insufficientScope?(scopes: readonly string[], auth: AuthInfo | undefined): McpError;
}

export interface CoreResponse {
  send(status: number, headers: HeaderMap, body?: string): void;
  stream(status: number, headers: HeaderMap): StreamSink;
}

export interface HttpServerOptions extends SecurityOptions {
  /** Largest accepted request body in bytes. Default 4 MiB (413 beyond). */
  maxBodyBytes?: number;
  /**
   * Bytes an SSE response may hold written but not yet taken by a slow client (one that does not read).
   * Over it the front closes that connection; a legacy session's events stay stored, so the client
   * resumes with Last-Event-ID. Default 4 MiB.
   */
  maxStreamBufferBytes?: number;
  /** Keep-alive comment interval on long-lived streams (subscriptions/listen, GET), ms. Default 15 000. */
  keepAliveMs?: number;
  /**
   * Serve the legacy (2025-11-25 and older) wire with sessions on the same endpoint. Default true. When
   * false (or the Server accepts no legacy revision), `initialize` gets 400 with -32022 listing the
   * supported versions, and GET/DELETE get 405.
   */
  legacy?: boolean;
  /** Idle legacy sessions are ended after this many ms. Default 30 minutes. */
  sessionIdleMs?: number;
  /**
   * Most legacy sessions held at once. Default 10 000. A new session ends the one idle the longest;
   * sessions with an open stream or a request in flight are never ended for it: when only such remain,
   * `initialize` gets 503 with `Retry-After`.
   */
  maxSessions?: number;
  /**
   * Most legacy sessions one client address (an IPv6 /64 counts as one) holds (as the front reports it: the socket's address on
   * node, `remoteAddress` on the web front; unknown addresses are not capped). Default 1000; beyond,
   * `initialize` gets 503 with `Retry-After`. Behind a proxy every client shares its address: raise it,
   * or report the forwarded address.
   */
  maxSessionsPerClient?: number;
  /** Where legacy SSE events are kept for resumption. Default: an `InMemoryEventStore` with its default bounds. */
  eventStore?: EventStore;
  /**
   * Where legacy sessions live when several instances serve this endpoint without sticky sessions (e.g.
   * tsmcp/redis `RedisSessionStore`, with a `RedisEventStore` as `eventStore`). Every request of a legacy
   * session then checks the store (a session ended or changed elsewhere is seen at once), an instance
   * rebuilds a session it has not seen from its record, `sessionIdleMs` and `maxSessionsPerClient` are
   * kept by the store across the fleet, and `maxSessions` bounds the copies one instance holds (idle
   * copies make room). When the store is unreachable, the request gets its error (503 with Retry-After).
   * Default: none, sessions live in this instance's memory.
   */
  sessionStore?: SessionStore;
  /**
   * How long the events of a legacy SSE stream are kept after its response was written while no client
   * was connected, ms. Default 60 000. A response written to a live connection is dropped at once.
   */
  resumptionWindowMs?: number;
  /** CORS for browser clients: the allowed origin(s); exposes the MCP headers. Off by default. */
  cors?: { origin: string | string[] };
  /**
   * Verify the caller of every request (a bearer token, a client certificate header set by a trusted
   * proxy) before MCP sees it. Return what was verified (handlers see it as `ctx.identity.auth`, and
   * its `subject` is the default principal), or undefined for an anonymous caller. Throw to refuse: an
   * McpError with `httpStatus` picks the status (and its `httpHeaders` go out with it), anything else answers 401.
   */
  authenticate?: (request: AuthenticateRequest) => AuthInfo | undefined | Promise<AuthInfo | undefined>;
  /**
   * An OAuth resource server (tsmcp/auth `protectedResource()`): its `authenticate` verifies every
   * request (exclusive with the `authenticate` option), and a GET of one of its metadata paths is
   * answered with the document, unauthenticated (when the front sees that path: mounted at the root).
   */
  auth?: HttpAuth;
}

const JSON_HEADERS: HeaderMap = { 'content-type': 'application/json' };
const NO_HEADERS: HeaderMap = {};
const NO_META = Object.freeze({}) as Meta;
const SSE_HEADERS: HeaderMap = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};
const MCP_HEADERS = 'mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id';
/** Browsers let a script read these: the MCP headers, an auth challenge and a DPoP nonce (RFC 9449 §9). */
const EXPOSED_HEADERS = `${MCP_HEADERS}, www-authenticate, dpop-nonce`;
/** What `handle` returns for an answer given synchronously (one settled promise shared by all). */
const DONE: Promise<void> = Promise.resolve();
/** Seconds a refused `initialize` is told to wait (503): sessions free up as clients finish or go idle. */
const RETRY_AFTER_S = 10;

/** The status of a JSON-RPC error answering a 2026-07-28 request: the spec maps some codes to statuses. */
function statusOf(e: McpError): number {
  if (e.httpStatus) return e.httpStatus;
  switch (e.code) {
    case ErrorCode.MethodNotFound:
      return 404;
    case ErrorCode.HeaderMismatch:
    case ErrorCode.MissingRequiredClientCapability:
    case ErrorCode.UnsupportedProtocolVersion:
      return 400;
    default:
      return 200;
  }
}

/**
 * The status of a JSON-RPC error answering a legacy session's request: always 200 (mapping codes to
 * statuses is a 2026-07-28 rule; there 404 would read as "session gone" and make the client
 * re-initialize), except a refused `initialize` (-32022), which opened no session: 400.
 */
function legacyStatusOf(e: McpError, method: string): number {
  // An auth refusal (401/403 with a challenge) is not about the session: its status tells the client to re-authorize.
  if ((e.httpHeaders || e instanceof InsufficientScopeError) && e.httpStatus) return e.httpStatus;
  return method === 'initialize' && e.code === ErrorCode.UnsupportedProtocolVersion ? 400 : 200;
}

/** Whether a request body carries its protocol version in `_meta` (a 2026-07-28 request). */
function hasVersionMeta(body: JsonObject): boolean {
  return isObject(body.params) && isObject(body.params._meta) && body.params._meta[META.protocolVersion] !== undefined;
}

function errorBody(id: RequestId | undefined, error: JsonRpcErrorObject): string {
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error });
}

/** Default of `maxStreamBufferBytes`, for the fronts. @internal */
export const STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

/** What a PostChannel needs of its core. */
interface PostShared {
  readonly sessions: LegacySessions;
  readonly keepAlive: number;
  headers(req: CoreRequest, base: HeaderMap): HeaderMap;
}

/**
 * The channel of one POSTed request: what goes out before the result (a notification, a server→client
 * request) opens the request's SSE stream on first use. A class, so a request costs one object rather
 * than a closure per member; `request` and `closeStream` are set only on a legacy session, which has them.
 */
class PostChannel implements Channel {
  readonly identity: RequestIdentity;
  readonly legacy: LegacySession | undefined;
  /** The SSE stream, once something went out before the result. */
  stream: SseStream | undefined;
  request?: Channel['request'];
  closeStream?: Channel['closeStream'];

  constructor(
    readonly shared: PostShared,
    readonly req: CoreRequest,
    readonly res: CoreResponse,
    readonly method: string,
    readonly session: HttpSession | undefined,
    readonly signal: CancelSignal,
    readonly extraHeaders: HeaderMap,
  ) {
    this.identity = identityOf(req);
    this.legacy = session?.legacy;
    this.stream = undefined;
    if (!session) return;
    this.request = (method, params, signal) =>
      shared.sessions.serverRequest(session, this.open(), method, params, signal);
    if (session.legacy && supports(session.legacy.version, 'ssePolling'))
      this.closeStream = (retryMs) => {
        // SEP-1699: tell the client when to come back, then close the connection (not the stream).
        const s = this.open();
        s.retry(retryMs);
        s.detach();
      };
  }

  open(): SseStream {
    if (this.stream) return this.stream;
    const sink = this.res.stream(200, this.shared.headers(this.req, { ...SSE_HEADERS, ...this.extraHeaders }));
    const stream = this.session
      ? this.shared.sessions.openStream(this.session, sink)
      : new SseStream(sink, 'modern', undefined);
    if (this.method === 'subscriptions/listen') stream.keepAlive(this.shared.keepAlive);
    return (this.stream = stream);
  }

  openLegacy(s: LegacySession): void {
    // Outside any request, the session's GET stream carries it (stored for resumption while the client is away).
    if (this.session) this.shared.sessions.adopt(this.session, s);
  }

  async notify(method: string, params: JsonObject): Promise<void> {
    if (this.signal.aborted) return;
    this.open().message({ jsonrpc: '2.0', method, params });
  }
}

/** The Streamable HTTP server core for one `Server`. Build once; call `handle` per HTTP request. */
export class HttpCore {
  readonly #server: Server;
  readonly #options: HttpServerOptions;
  readonly #maxBody: number;
  readonly #keepAlive: number;
  /** What every request's PostChannel needs of this core. */
  readonly #shared: PostShared;
  readonly #sessions: LegacySessions;
  readonly #refuse: SecurityCheck;
  /** Whether the legacy session wire is served: the `legacy` option, and a Server that accepts a legacy revision. */
  readonly #legacy: boolean;
  readonly #authenticate: HttpServerOptions['authenticate'];

  constructor(server: Server, options: HttpServerOptions = {}) {
    this.#server = server;
    this.#options = options;
    this.#maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#keepAlive = options.keepAliveMs ?? 15_000;
    const store: EventStore = options.eventStore ?? new InMemoryEventStore();
    this.#sessions = new LegacySessions(
      server,
      store,
      {
        idleMs: options.sessionIdleMs ?? 30 * 60_000,
        maxSessions: options.maxSessions ?? 10_000,
        maxPerClient: options.maxSessionsPerClient ?? 1000,
        windowMs: options.resumptionWindowMs ?? 60_000,
        keepAliveMs: this.#keepAlive,
      },
      options.sessionStore,
    );
    this.#shared = {
      sessions: this.#sessions,
      keepAlive: this.#keepAlive,
      headers: (req, base) => this.#headers(req, base),
    };
    this.#refuse = securityCheck(options);
    this.#legacy = options.legacy !== false && server.versions.some(isLegacyVersion);
    if (options.auth && options.authenticate)
      throw new TypeError('HTTP server options: give either `auth` or `authenticate`, not both');
    const auth = options.auth;
    this.#authenticate = auth ? (r) => auth.authenticate(r) : options.authenticate;
  }

  /** Number of open legacy sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Not async on the common path (no `authenticate`): the route's own promise is the answer's. */
  handle(req: CoreRequest, res: CoreResponse): Promise<void> {
    try {
      const refused = this.#refuse(req.header('host'), req.header('origin'));
      if (refused) {
        res.send(
          403,
          this.#headers(req, JSON_HEADERS),
          errorBody(undefined, { code: ErrorCode.InvalidRequest, message: `Forbidden: ${refused}` }),
        );
        return DONE;
      }
      if (req.method === 'GET' && req.path !== undefined && this.#options.auth?.metadataAt) {
        const doc = this.#options.auth.metadataAt(req.path);
        if (doc !== undefined) {
          res.send(200, this.#headers(req, JSON_HEADERS), doc);
          return DONE;
        }
      }
      if (this.#authenticate && req.method !== 'OPTIONS') return this.#authenticated(req, res, this.#authenticate);
      req.identity = new HttpIdentity(req, req.auth);
      return this.#byMethod(req, res) ?? DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `handle` behind the `authenticate` option (or `auth`): the caller verified first. */
  async #authenticated(
    req: CoreRequest,
    res: CoreResponse,
    authenticate: NonNullable<HttpServerOptions['authenticate']>,
  ): Promise<void> {
    let auth = req.auth;
    try {
      auth = await authenticate({
        method: req.method,
        header: (n) => req.header(n.toLowerCase()) ?? undefined,
        remoteAddress: req.remoteAddress,
        auth,
        path: req.path,
        responseHeader: (name, value) => {
          (req.responseHeaders ??= {})[name.toLowerCase()] = value;
        },
      });
    } catch (e) {
      const status = e instanceof McpError && e.httpStatus ? e.httpStatus : 401;
      const extra = e instanceof McpError ? e.httpHeaders : undefined;
      return res.send(
        status,
        this.#headers(req, extra ? { ...JSON_HEADERS, ...extra } : JSON_HEADERS),
        errorBody(undefined, {
          code: ErrorCode.InvalidRequest,
          message: status === 401 ? 'Unauthorized' : e instanceof McpError ? e.message : 'Forbidden',
        }),
      );
    }
    req.identity = new HttpIdentity(req, auth);
    return this.#byMethod(req, res);
  }

  #byMethod(req: CoreRequest, res: CoreResponse): Promise<void> | undefined {
    switch (req.method) {
      case 'POST':
        return this.#post(req, res);
      case 'GET':
        return this.#get(req, res);
      case 'DELETE':
        return this.#delete(req, res);
      case 'OPTIONS':
        if (this.#options.cors) {
          res.send(
            204,
            this.#headers(req, {
              'access-control-allow-methods': 'GET, POST, DELETE',
              'access-control-allow-headers': `content-type, accept, authorization, dpop, ${MCP_HEADERS}, mcp-param-*`,
              'access-control-max-age': '600',
            }),
          );
          return undefined;
        }
    }
    res.send(405, this.#headers(req, { allow: !this.#legacy ? 'POST' : 'GET, POST, DELETE' }));
    return undefined;
  }

  /** Response headers plus the auth layer's (a DPoP nonce) and CORS when enabled and the origin is allowed. */
  #headers(req: CoreRequest, base: HeaderMap): HeaderMap {
    if (req.responseHeaders) base = { ...req.responseHeaders, ...base };
    const cors = this.#options.cors;
    const origin = req.header('origin');
    if (!cors || !origin) return base;
    const allowed = Array.isArray(cors.origin)
      ? cors.origin.includes(origin)
      : cors.origin === '*' || cors.origin === origin;
    if (!allowed) return base;
    return {
      ...base,
      'access-control-allow-origin': cors.origin === '*' ? '*' : origin,
      'access-control-expose-headers': EXPOSED_HEADERS,
      vary: 'Origin',
    };
  }

  #fail(
    req: CoreRequest,
    res: CoreResponse,
    status: number,
    id: RequestId | undefined,
    code: number,
    message: string,
    data?: unknown,
  ): void {
    res.send(
      status,
      this.#headers(req, JSON_HEADERS),
      errorBody(id, data === undefined ? { code, message } : { code, message, data }),
    );
  }

  // ---------------------------------------------------------------- POST

  /** Not async: one `then` on the body costs less than a suspended frame per request. */
  #post(req: CoreRequest, res: CoreResponse): Promise<void> | undefined {
    const type = req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      return void this.#fail(
        req,
        res,
        415,
        undefined,
        ErrorCode.InvalidRequest,
        'Unsupported Media Type: POST a JSON-RPC message as application/json',
      );
    const accept = req.header('accept') ?? '';
    if (!/application\/json|\*\/\*/i.test(accept) || !/text\/event-stream|\*\/\*/i.test(accept)) {
      return void this.#fail(
        req,
        res,
        406,
        undefined,
        ErrorCode.InvalidRequest,
        'Not Acceptable: Accept must list both application/json and text/event-stream',
      );
    }
    return req.text(this.#maxBody).then((text) => this.#postBody(req, res, text));
  }

  #postBody(req: CoreRequest, res: CoreResponse, text: string | undefined): Promise<void> | void {
    if (text === undefined)
      return this.#fail(
        req,
        res,
        413,
        undefined,
        ErrorCode.InvalidRequest,
        `Payload Too Large: the body exceeds ${this.#maxBody} bytes`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return this.#fail(req, res, 400, undefined, ErrorCode.ParseError, `Parse error: ${(e as Error).message}`);
    }
    const header = req.header('mcp-protocol-version')?.trim();
    const isInitialize = isObject(body) && body.method === 'initialize';
    if (isObject(body) && isInitialize && !this.#legacy && !hasVersionMeta(body))
      return this.#refuseInitialize(req, res, body);
    const legacyWanted =
      this.#legacy &&
      (isLegacyVersion(header) ||
        (header === undefined && (isInitialize || req.header('mcp-session-id') != null || Array.isArray(body))));
    if (legacyWanted) return this.#legacyPost(req, res, body, header);
    return this.#modernPost(req, res, body);
  }

  /**
   * A modern-only endpoint answers `initialize` with 400 and -32022 listing the versions it speaks (the
   * legacy client can show them), and opens no session.
   */
  #refuseInitialize(req: CoreRequest, res: CoreResponse, body: JsonObject): void {
    const params = isObject(body.params) ? body.params : {};
    const requested =
      typeof params.protocolVersion === 'string'
        ? params.protocolVersion
        : JSON.stringify(params.protocolVersion ?? null);
    const id = typeof body.id === 'string' || typeof body.id === 'number' ? body.id : undefined;
    const supported = this.#server.versions.filter(isModernVersion);
    this.#fail(
      req,
      res,
      400,
      id,
      ErrorCode.UnsupportedProtocolVersion,
      `Unsupported protocol version ${requested}: this endpoint speaks only ${supported.join(', ')}, without the initialize handshake`,
      { supported, requested },
    );
  }

  /** Not async (its one await was the answer's): the caller awaits what it returns. */
  #modernPost(req: CoreRequest, res: CoreResponse, body: unknown): Promise<void> | void {
    const c = classify(body);
    if (c.kind === 'batch')
      return this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        'Invalid request: JSON-RPC batches are not part of protocol 2026-07-28',
      );
    if (c.kind === 'invalid') return this.#fail(req, res, 400, c.id, c.error.code, c.error.message);
    if (c.kind === 'notification') return res.send(202, this.#headers(req, {}));
    if (c.kind !== 'request')
      return this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        'Invalid request: clients do not send responses in protocol 2026-07-28',
      );
    const request = c.message;
    const meta = isObject(request.params?._meta) ? request.params!._meta : undefined;
    const version = meta?.[META.protocolVersion];
    // Missing _meta fields are answered by the dispatcher (-32602, 400); headers are checked once the body is complete.
    // Unknown methods get their -32601 (HTTP 404) whatever their headers say.
    if (
      typeof version === 'string' &&
      isObject(meta?.[META.clientCapabilities]) &&
      this.#server.handles(request.method)
    ) {
      const headerError = checkRequestHeaders(
        req,
        request.method,
        request.params,
        version,
        this.#server.toolHeaders?.(String(request.params?.name)),
      );
      if (headerError) return this.#fail(req, res, 400, request.id, headerError.code, headerError.message);
    }
    return this.#respond(req, res, request, undefined);
  }

  /**
   * Dispatch one request and answer it: a JSON response when nothing streamed, an SSE stream as soon
   * as a notification (progress, log, server→client request) has to go out before the result. Not async:
   * a result the server has at once (a synchronous handler) is answered here, with no promise or suspended
   * frame per request; only a pending result (or a commit) continues in #respondLater.
   */
  #respond(
    req: CoreRequest,
    res: CoreResponse,
    request: JsonRpcRequest,
    session: HttpSession | undefined,
    extraHeaders: HeaderMap = NO_HEADERS,
    commit?: () => Promise<void>,
  ): Promise<void> | void {
    // Closing the stream cancels a modern request (its signal is the connection's); a legacy one keeps
    // running, its events stored for resumption, and is cancelled only by notifications/cancelled.
    const controller = session ? new LazyAbortController() : undefined;
    const signal = controller ?? req.signal;
    if (session) session.inflight.set(request.id, controller!);
    const channel = new PostChannel(this.#shared, req, res, request.method, session, signal, extraHeaders);
    let result: JsonObject | Promise<JsonObject>;
    try {
      result = this.#server.dispatchNow(request, channel, signal);
    } catch (thrown) {
      return this.#answer(req, res, request, session, extraHeaders, channel, signal, true, thrown);
    }
    if (commit === undefined && !isThenable(result))
      return this.#answer(req, res, request, session, extraHeaders, channel, signal, false, result);
    return this.#respondLater(req, res, request, session, extraHeaders, channel, signal, result, commit);
  }

  /** #respond for a result still pending, or a shared session's commit to await before answering. */
  async #respondLater(
    req: CoreRequest,
    res: CoreResponse,
    request: JsonRpcRequest,
    session: HttpSession | undefined,
    extraHeaders: HeaderMap,
    channel: PostChannel,
    signal: CancelSignal,
    pending: JsonObject | Promise<JsonObject>,
    commit: (() => Promise<void>) | undefined,
  ): Promise<void> {
    let result: JsonObject;
    try {
      result = await pending;
      if (commit) await commit(); // shared sessions: what the request changed is recorded before it is answered
    } catch (thrown) {
      return this.#answer(req, res, request, session, extraHeaders, channel, signal, true, thrown);
    }
    this.#answer(req, res, request, session, extraHeaders, channel, signal, false, result);
  }

  /** Send the answer of a settled request: its result, or the error it `failed` with (`value`). */
  #answer(
    req: CoreRequest,
    res: CoreResponse,
    request: JsonRpcRequest,
    session: HttpSession | undefined,
    extraHeaders: HeaderMap,
    channel: PostChannel,
    signal: CancelSignal,
    failed: boolean,
    value: unknown,
  ): void {
    let answer: JsonRpcMessage;
    let status = 200;
    let errorHeaders: HeaderMap | undefined;
    try {
      if (!failed) answer = { jsonrpc: '2.0', id: request.id, result: value as JsonObject };
      else {
        // Scopes declared at registration: the resource server builds its challenge (all scopes needed).
        const e =
          value instanceof InsufficientScopeError
            ? (this.#options.auth?.insufficientScope?.(value.scopes, identityOf(req).auth) ?? value)
            : value;
        answer = {
          jsonrpc: '2.0',
          id: request.id,
          error: toJsonRpcError(e, (x) => this.#server.unexpected(x, request)),
        };
        status = !(e instanceof McpError) ? 200 : session ? legacyStatusOf(e, request.method) : statusOf(e);
        if (e instanceof McpError && e.httpHeaders && status !== 200) errorHeaders = e.httpHeaders;
      }
    } finally {
      if (session) {
        session.inflight.delete(request.id);
        if (this.#sessions.isOpen(session)) this.#sessions.touch(session); // it was in use until now
      }
    }
    const sse = channel.stream;
    if (signal.aborted) {
      // Cancelled (or the session ended): nothing more will be delivered, so nothing is kept.
      sse?.close();
      if (session && sse) this.#sessions.finish(session, sse, true);
      return;
    }
    if (sse) {
      sse.message(answer);
      const delivered = sse.live;
      sse.close();
      if (session) this.#sessions.finish(session, sse, delivered);
      return;
    }
    const headers =
      extraHeaders === NO_HEADERS && !errorHeaders
        ? JSON_HEADERS
        : { ...JSON_HEADERS, ...extraHeaders, ...errorHeaders };
    res.send(status, this.#headers(req, headers), JSON.stringify(answer));
  }

  // ---------------------------------------------------------------- legacy sessions

  async #legacyPost(req: CoreRequest, res: CoreResponse, body: unknown, header: string | undefined): Promise<void> {
    if (isObject(body) && body.method === 'initialize' && 'id' in body) {
      const c = classify(body);
      if (c.kind !== 'request')
        return this.#fail(req, res, 400, undefined, ErrorCode.InvalidRequest, 'Invalid initialize request');
      const session = this.#openSession(req, res, c.message.id);
      if (!session) return;
      session.principal = this.#principalOf(req);
      // Shared sessions: recorded in the store before the client learns the id (any instance may get its next POST).
      const commit = this.#sessions.shared
        ? () =>
            this.#sessions.commitNew(
              session,
              req.remoteAddress === undefined ? undefined : clientKey(req.remoteAddress),
            )
        : undefined;
      await this.#respond(req, res, c.message, session, { 'mcp-session-id': session.id }, commit);
      if (!session.legacy || (this.#sessions.shared && !session.shared)) this.#sessions.close(session); // initialize failed
      return;
    }
    const initialized: SessionChange | undefined =
      isObject(body) && body.method === 'notifications/initialized' && !('id' in body)
        ? { kind: 'initialized' }
        : undefined;
    const session = await this.#session(req, res, initialized);
    if (!session) return;
    if (header !== undefined && session.legacy && header !== session.legacy.version) {
      return this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        `MCP-Protocol-Version ${header} does not match the session's ${session.legacy.version}`,
      );
    }
    const batch = Array.isArray(body);
    if (batch && !(session.legacy && supports(session.legacy.version, 'batching')))
      return this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        'Invalid request: batches are only part of protocol 2025-03-26',
      );
    const messages = batch ? body : [body];
    if (messages.length === 0)
      return this.#fail(req, res, 400, undefined, ErrorCode.InvalidRequest, 'Invalid request: empty batch');
    const requests: JsonRpcRequest[] = [];
    for (const m of messages) {
      const c = classify(m);
      if (c.kind === 'invalid') return this.#fail(req, res, 400, c.id, c.error.code, c.error.message);
      if (c.kind === 'request') requests.push(c.message);
      else if (c.kind === 'notification') {
        try {
          await this.#sessions.notification(session, c.message.method, c.message.params);
        } catch (e) {
          return this.#unavailable(req, res, e);
        }
      } else if (c.kind === 'result' || c.kind === 'error') {
        try {
          await this.#sessions.answer(session, c.message);
        } catch (e) {
          return this.#unavailable(req, res, e);
        }
      }
    }
    if (requests.length === 0) return res.send(202, this.#headers(req, {}));
    if (requests.length === 1)
      return this.#respond(req, res, requests[0]!, session, NO_HEADERS, this.#commitChange(session, requests[0]!));
    // 2025-03-26 batch: answer every request, in one JSON array.
    const answers = await Promise.all(
      requests.map(async (r) => {
        const controller = new LazyAbortController();
        const channel: Channel = {
          identity: identityOf(req),
          legacy: session.legacy,
          openLegacy: () => {},
          notify: async () => {},
        };
        try {
          const result = await this.#server.dispatch(r, channel, controller);
          await this.#commitChange(session, r)?.();
          return { jsonrpc: '2.0', id: r.id, result };
        } catch (e) {
          return { jsonrpc: '2.0', id: r.id, error: toJsonRpcError(e, (x) => this.#server.unexpected(x, r)) };
        }
      }),
    );
    res.send(200, this.#headers(req, JSON_HEADERS), JSON.stringify(answers));
  }

  /** A new session, or undefined after answering 503 when the client or the server is at its limit. */
  #openSession(req: CoreRequest, res: CoreResponse, id: RequestId): HttpSession | undefined {
    const opened = this.#sessions.open(req.remoteAddress);
    if (!('reason' in opened)) return opened;
    this.#full(req, res, id, opened);
    return undefined;
  }

  /** 503 + Retry-After: the sessions (of this client, or in all) are at their limit. */
  #full(req: CoreRequest, res: CoreResponse, id: RequestId | undefined, why: { reason: string; message: string }) {
    res.send(
      503,
      this.#headers(req, { ...JSON_HEADERS, 'retry-after': String(RETRY_AFTER_S) }),
      errorBody(id, {
        code: ErrorCode.InternalError,
        message: why.message,
        data: { reason: why.reason, retryAfterSeconds: RETRY_AFTER_S },
      }),
    );
  }

  /** The principal an HTTP request acts for (headers and verified auth; the body's `_meta` is not consulted). */
  #principalOf(req: CoreRequest): string | undefined {
    return this.#server.principal({ identity: identityOf(req), meta: NO_META });
  }

  /** Shared sessions: the recording of what a request changes in its session's state, if it may. */
  #commitChange(session: HttpSession, request: JsonRpcRequest): (() => Promise<void>) | undefined {
    return this.#sessions.shared
      ? () => this.#sessions.commitChange(session, request.method, request.params)
      : undefined;
  }

  /** Answers a store failure (its McpError's status and headers, e.g. 503 with Retry-After). */
  #unavailable(req: CoreRequest, res: CoreResponse, e: unknown): void {
    const status = e instanceof McpError && e.httpStatus ? e.httpStatus : 500;
    const headers = e instanceof McpError && e.httpHeaders ? { ...JSON_HEADERS, ...e.httpHeaders } : JSON_HEADERS;
    const error = e instanceof McpError ? e.toJSON() : { code: ErrorCode.InternalError, message: 'Internal error' };
    res.send(status, this.#headers(req, headers), errorBody(undefined, error));
  }

  /** The session a request names; answers 400/404 (shared: 503 when the store is unreachable) itself when there is none. */
  async #session(req: CoreRequest, res: CoreResponse, change?: SessionChange): Promise<HttpSession | undefined> {
    const id = req.header('mcp-session-id');
    if (id == null) {
      this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required (initialize first)',
      );
      return undefined;
    }
    // A session id is not a credential: presented by another principal it is answered like an unknown one.
    let s: HttpSession | undefined;
    if (this.#sessions.shared) {
      let found: Awaited<ReturnType<LegacySessions['findShared']>>;
      try {
        found = await this.#sessions.findShared(id, this.#principalOf(req), change);
      } catch (e) {
        this.#unavailable(req, res, e);
        return undefined;
      }
      if (found && 'reason' in found) {
        this.#full(req, res, undefined, found);
        return undefined;
      }
      s = found;
    } else s = this.#sessions.find(id, this.#principalOf(req));
    if (!s)
      this.#fail(
        req,
        res,
        404,
        undefined,
        ErrorCode.InvalidRequest,
        'Session not found: it ended or never existed; initialize a new one',
      );
    return s;
  }

  // ---------------------------------------------------------------- GET and DELETE

  async #get(req: CoreRequest, res: CoreResponse): Promise<void> {
    if (!this.#legacy || req.header('mcp-session-id') == null) {
      return res.send(405, this.#headers(req, { allow: !this.#legacy ? 'POST' : 'GET, POST, DELETE' }));
    }
    if (!/text\/event-stream|\*\/\*/i.test(req.header('accept') ?? '')) {
      return this.#fail(
        req,
        res,
        406,
        undefined,
        ErrorCode.InvalidRequest,
        'Not Acceptable: a GET stream needs Accept: text/event-stream',
      );
    }
    const session = await this.#session(req, res);
    if (!session) return;
    const last = req.header('last-event-id');
    if (last) {
      // Only this session's events: another session's id is answered like an unknown one. 400, not 404:
      // the session is fine, only this stream cannot be resumed (404 would tell the client to re-initialize).
      const open = () => res.stream(200, this.#headers(req, SSE_HEADERS));
      if (await this.#sessions.resume(session, last, open, signalOf(req.signal))) return;
      return this.#fail(
        req,
        res,
        400,
        undefined,
        ErrorCode.InvalidRequest,
        'Bad Request: the stream of this Last-Event-ID cannot be resumed (unknown, or its events were dropped); open a new GET stream without it',
      );
    }
    if (session.getStream?.live)
      return this.#fail(
        req,
        res,
        409,
        undefined,
        ErrorCode.InvalidRequest,
        'Conflict: this session already has a GET stream',
      );
    this.#sessions.openGetStream(session, res.stream(200, this.#headers(req, SSE_HEADERS)), signalOf(req.signal));
  }

  async #delete(req: CoreRequest, res: CoreResponse): Promise<void> {
    if (!this.#legacy || req.header('mcp-session-id') == null) {
      return res.send(405, this.#headers(req, { allow: !this.#legacy ? 'POST' : 'GET, POST, DELETE' }));
    }
    const session = await this.#session(req, res);
    if (!session) return;
    if (session.shared) {
      try {
        await this.#options.sessionStore!.delete(session.id); // every instance: the store says so to each
      } catch (e) {
        return this.#unavailable(req, res, e);
      }
    }
    this.#sessions.close(session);
    res.send(200, this.#headers(req, {}));
  }

  /** End every session and stream (server shutdown). */
  close(): void {
    this.#server.closeSubscriptions();
    this.#sessions.closeAll();
  }
}
