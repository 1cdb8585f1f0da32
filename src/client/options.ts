// The client's public option and call types (re-exported by client.ts and tsmcp/client).
import type { RequestOptions } from '../engine/peer.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  ListRootsResult,
  LoggingLevel,
  LogMessageParams,
  Meta,
  SubscriptionFilter,
} from '../protocol/types.js';
import type { Transport } from '../protocol/transport.js';
import type { Era, ProtocolVersion } from '../protocol/versions.js';
import type { ClientExtension } from './extension.js';

/** Answers the server's questions; the same handlers serve multi round-trip (2026) and server requests (legacy). */
export interface InputHandlers {
  elicitation?: (params: ElicitParams, ctx: { signal: AbortSignal }) => ElicitResult | Promise<ElicitResult>;
  /** @deprecated Sampling is deprecated since 2026-07-28 (SEP-2577). */
  sampling?: (
    params: CreateMessageParams,
    ctx: { signal: AbortSignal },
  ) => CreateMessageResult | Promise<CreateMessageResult>;
  /** @deprecated Roots are deprecated since 2026-07-28 (SEP-2577). */
  roots?: (ctx: { signal: AbortSignal }) => ListRootsResult | Promise<ListRootsResult>;
  /**
   * 2025-11-25: the server says the out-of-band step of a URL-mode elicitation this client accepted is
   * done (`notifications/elicitation/complete`). Called once per id; ids never asked for, or already
   * completed, are ignored. 2026-07-28 has no such notification: the client's retry carries on instead.
   */
  elicitationComplete?: (elicitationId: string) => void;
}

export interface ClientOptions {
  /** Capabilities to declare. Default: derived from `handlers` (elicitation form, sampling, roots). */
  capabilities?: ClientCapabilities;
  /** `auto` (default) probes with server/discover and falls back to initialize; `legacy` skips the probe; a version pins it. */
  version?: 'auto' | 'legacy' | ProtocolVersion;
  /** A verdict remembered from an earlier connection to the same server (see `era`), to skip the probe. */
  prior?: Era;
  handlers?: InputHandlers;
  /** Most input rounds one request may take before giving up. Default 10. */
  maxInputRounds?: number;
  /**
   * Most input requests one round may carry (an `InputRequiredResult`, or one an extension relays).
   * Over it the call fails with `TSMCP_INPUT_REQUESTS_EXCEEDED` and no handler runs. Default 32.
   */
  maxInputRequestsPerRound?: number;
  /**
   * Legacy sessions: most server→client requests (elicitation, sampling, roots) whose handlers run at
   * once; more are answered with a JSON-RPC error (-32603) without running a handler. `ping` is always
   * answered. Default 16.
   */
  maxConcurrentServerRequests?: number;
  /**
   * 2025-11-25: most accepted URL-mode elicitations remembered while awaiting their (optional)
   * completion notification. Past it the oldest is forgotten (its completion, if it ever comes, is then
   * ignored) and `onprotocolerror` is told. Default 64.
   */
  maxPendingUrlElicitations?: number;
  /** Default timeout per request in ms (progress resets it). Default 60 000. */
  requestTimeoutMs?: number;
  /**
   * Over HTTP, a tool called before it was listed is refused with -32020 (its Mcp-Param-* headers are
   * unknown): the client pages tools/list to learn them and retries once. At most this many pages;
   * past it the call fails with `TSMCP_INVALID_RESPONSE`. Default 100.
   */
  maxToolRefreshPages?: number;
  /** How long the server/discover probe may take before the server is taken as legacy. Default 5 000. */
  probeTimeoutMs?: number;
  /** Cache results by their `ttlMs`/`cacheScope` hints. Default true. */
  cache?: boolean;
  /** Log messages the server sends (deprecated logging feature). */
  onlog?: (params: LogMessageParams) => void;
  /** Server notifications (list changed, resource updated, …) as they arrive. */
  onnotification?: (method: string, params: JsonObject | undefined) => void;
  /** Protocol problems the connection recovered from. */
  onprotocolerror?: (error: Error) => void;
  /** Extensions to install, in order (see docs/extensions.md). */
  extensions?: readonly ClientExtension[];
}

/** Options of one call. */
export interface CallOptions
  extends Pick<
    RequestOptions,
    'signal' | 'timeoutMs' | 'maxTotalTimeoutMs' | 'resetTimeoutOnProgress' | 'onprogress' | 'onid'
  > {
  /**
   * Extra `_meta` (e.g. `traceparent`, `com.example/user`). Keys must follow the spec's key syntax and
   * stay out of prefixes reserved for MCP (`io.modelcontextprotocol/`, `*.mcp/`…, set by the client
   * itself), and `progressToken` comes from `onprogress`: otherwise the call fails with
   * `TSMCP_INVALID_META` before anything is sent. The same holds for `params._meta` of `request()`.
   */
  meta?: Meta;
  /** 2026-07-28: ask for log messages at or above this level for this request. */
  logLevel?: LoggingLevel;
  /** Bypass the response cache for this call. */
  noCache?: boolean;
}

export interface SubscribeOptions {
  /** Listen again when the stream drops or the server ends it (2026-07-28). Default true. */
  reconnect?: boolean;
  /**
   * Consecutive failed attempts before giving up. Default 5 (backoff from 250 ms, doubling, 10 s cap). A
   * listen that ends within 10 s of its acknowledgement counts as failed too.
   */
  maxReconnects?: number;
  /** Called each time a dropped subscription is listening again. */
  onreconnect?: () => void;
  /**
   * Called each time the subscription stops delivering other than by `close()`: the server cancelled or
   * ended the listen (`TSMCP_CANCELLED`), or the connection was lost (`TSMCP_CONNECTION_CLOSED`, with a
   * stdio server's exit in `cause`). Events may have been missed; the reconnect policy then applies.
   */
  oninterrupt?: (reason: Error) => void;
  /** Called once when the subscription ends for good other than by `close()` (reconnect off or exhausted, connection gone). */
  onclose?: (reason: Error) => void;
}

export interface Subscription {
  /** What the server agreed to send (modern), or what was asked (legacy). */
  readonly acknowledged: SubscriptionFilter;
  close(): Promise<void>;
}

/** What a client middleware sees of one outgoing request; it may replace `params` or `options` before `next()`. */
export interface ClientRequest {
  readonly method: string;
  /** The request's params (without the `_meta` the client adds on 2026-07-28). */
  params: JsonObject;
  /** The call's options: signal, timeouts, `meta` (e.g. a `traceparent` to propagate), `noCache`, `onid`. */
  options: CallOptions;
  /** The connection the call goes out on, read when asked (telemetry reports it). */
  readonly connection: ClientConnectionInfo;
}

/** What a client middleware can know of the connection a call goes out on. */
export interface ClientConnectionInfo {
  /** The revision in use (undefined before `connect()` settled it). */
  readonly protocolVersion: ProtocolVersion | undefined;
  readonly era: Era | undefined;
  /** The transport's legacy session id (HTTP), when it has one. */
  readonly sessionId: string | undefined;
  /** The transport connected (or connecting), e.g. to tell HTTP from stdio. */
  readonly transport: Transport | undefined;
}

/**
 * A client middleware: run code before and after `next()`, or answer without calling it. `next()`
 * resolves with the final result (input rounds answered, legacy results translated, cache consulted) or
 * rejects with the call's error (`McpError` from the server, `TsmcpError` for local failures).
 * Calling `next()` twice rejects with `TSMCP_MIDDLEWARE`.
 * @example
 * client.use(async (req, next) => {
 *   req.options = { ...req.options, meta: { ...req.options.meta, traceparent: currentTraceparent() } };
 *   return next();
 * });
 */
export type ClientMiddleware = (req: ClientRequest, next: () => Promise<JsonObject>) => Promise<JsonObject>;
