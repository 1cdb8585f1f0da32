// Where legacy HTTP sessions live when several instances serve one endpoint (the `sessionStore` option):
// a shared record any instance rebuilds a session from, and the routes between instances that a session
// spread over a fleet needs. Without the option, sessions live in one instance's memory (the default).
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../../protocol/types.js';
import type { LegacyVersion } from '../../protocol/versions.js';

/** What another instance needs to serve a legacy session. */
export interface SessionState {
  /** The principal that opened it (every request must act for it); undefined for an anonymous one. */
  principal: string | undefined;
  /** The client key (address, IPv6 /64) counted for `maxSessionsPerClient`; undefined when unknown. */
  client: string | undefined;
  version: LegacyVersion;
  clientCapabilities: ClientCapabilities;
  clientInfo: Implementation | undefined;
  logLevel: LoggingLevel | undefined;
  subscriptions: string[];
  initialized: boolean;
}

/** A change a request made to a session's state. */
export type SessionChange =
  | { kind: 'logLevel'; level: LoggingLevel }
  | { kind: 'subscribe' | 'unsubscribe'; uri: string }
  | { kind: 'initialized' };

/** A session's state as `touch` sees it: its revision, and the state when it differs from the caller's. */
export interface SessionSnapshot {
  rev: number;
  state?: SessionState;
}

/**
 * A shared home for legacy sessions (e.g. tsmcp/redis `RedisSessionStore`). Rejections that mean "the
 * store is unreachable" should be McpErrors with `httpStatus` 503 (and `Retry-After` in `httpHeaders`):
 * the request is answered with them.
 */
export interface SessionStore {
  /** This instance's name among its peers (no `.`): tags the stream ids and server→client request ids it mints. */
  readonly instance: string;
  /** How long a session lives without requests, ms (instances renew the sessions they hold in use a few times per period). */
  readonly idleMs?: number;
  /** Most ms a server→client request waits for the client's answer (it may have to cross instances). */
  readonly serverRequestTimeoutMs?: number;
  /** Record a new session (its `initialize` succeeded); the refusal when the fleet is at a bound. */
  create(
    id: string,
    state: SessionState,
  ): Promise<{ reason: 'TSMCP_SESSIONS_PER_CLIENT' | 'TSMCP_SESSIONS_FULL'; message: string } | undefined>;
  /**
   * A request of `principal` names session `id`: renew its idle expiry, apply `change`, and answer its
   * revision (with the state when it is not `rev`), or undefined when it ended, expired, never existed
   * or belongs to another principal.
   */
  touch(
    id: string,
    principal: string | undefined,
    rev: number,
    change?: SessionChange,
  ): Promise<SessionSnapshot | undefined>;
  /** End the session for every instance (DELETE). */
  delete(id: string): Promise<void>;
  /** Keep sessions alive that this instance holds in use (an open GET stream) without requests. */
  renew?(ids: string[]): Promise<void>;
  /** Send the client's answer to a server→client request to the instance that asked (`instance` of its id). */
  route(instance: string, sessionId: string, message: JsonRpcMessage & { id?: RequestId | null }): Promise<void>;
  /** Tell every instance the client cancelled its request `requestId` (it runs on one of them, or none). */
  cancel?(sessionId: string, requestId: RequestId): Promise<void>;
  /**
   * Be given answers other instances routed here, cancellations, the ids of sessions ended elsewhere, and
   * of sessions whose state a request changed (`touch` with a change) on any instance: an instance holding
   * the session's GET stream refreshes its copy, or the notifications it sends there follow stale
   * subscriptions.
   */
  listen(handlers: {
    answer(sessionId: string, message: JsonRpcMessage & { id?: RequestId | null }): void;
    cancelled?(sessionId: string, requestId: RequestId): void;
    ended(sessionId: string): void;
    changed?(sessionId: string): void;
  }): void;
}
