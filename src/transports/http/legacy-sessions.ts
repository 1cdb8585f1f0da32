// Legacy (2025-11-25 and older) Streamable HTTP sessions, for the core: opening them within the session
// bounds, idle expiry and eviction, the GET stream, Last-Event-ID resumption, and server→client requests.
import type { LazyAbortController } from '../../engine/cancel.js';
import { Peer } from '../../engine/peer.js';
import { McpError, ErrorCode, methodNotFound } from '../../protocol/errors.js';
import { supports } from '../../protocol/features.js';
import { LIST_CHANGED } from '../../protocol/list-changed.js';
import type { JsonObject, JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import { comparePositions, type EventPosition, type ServerEvent, type ServerEventBus } from '../../server/events.js';
import { legacyNotificationFor, type LegacySession, type Server } from '../../server/server.js';
import type { Transport } from '../../protocol/transport.js';
import type { EventStore } from './event-store.js';
import type { SessionChange, SessionStore } from './session-store.js';
import type { LoggingLevel } from '../../protocol/types.js';
import { SseStream, type StreamSink } from './sse-stream.js';

/** Seconds a client is told to wait when the fleet is at a session bound. */
const SHARED_RETRY_AFTER_S = 10;
/** Default of `SessionStore.serverRequestTimeoutMs`: a shared session's server→client request waits this long. */
export const DEFAULT_SHARED_REQUEST_TIMEOUT_MS = 10 * 60_000;

/** The change a successful request made to its session's state, if any. */
function changeOf(method: string, params: JsonObject | undefined): SessionChange | undefined {
  switch (method) {
    case 'logging/setLevel':
      return { kind: 'logLevel', level: params?.level as LoggingLevel };
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return { kind: method === 'resources/subscribe' ? 'subscribe' : 'unsubscribe', uri: String(params?.uri) };
  }
  return undefined;
}

/** The bounds of `HttpServerOptions` that concern sessions, resolved to numbers. @internal */
export interface SessionLimits {
  idleMs: number;
  maxSessions: number;
  maxPerClient: number;
  windowMs: number;
  keepAliveMs: number;
}

/** Why `open` refused a session (answered 503 with `Retry-After`). @internal */
export interface SessionRefusal {
  reason: 'TSMCP_SESSIONS_PER_CLIENT' | 'TSMCP_SESSIONS_FULL';
  message: string;
}

/**
 * A session's server→client requests on the engine's request tracking (a `Peer`: ids, pending answers,
 * cancellation both ways, closing), as on stdio. As the Peer's transport it writes each request on the
 * SSE stream of the client request that asked, and that request's cancellation on the same stream; the
 * client's answers arrive in later POSTs (`answer`). Nothing else goes through it: client requests are
 * dispatched by the core.
 */
class SessionRequests implements Transport {
  readonly #peer: Peer;
  /** Shared sessions: ids go out as `<instance>.<n>`, so the instance a client's answer lands on can route it back. */
  readonly #tag: string | undefined;
  readonly #timeoutMs: number;
  /** The stream of the request being sent (the Peer sends synchronously inside `request`). */
  #next: SseStream | undefined;
  /** The stream each pending request went out on, for its cancellation. */
  readonly #streams = new Map<RequestId, SseStream>();
  onmessage?: (value: unknown) => void;

  constructor(tag?: string, timeoutMs = Infinity) {
    this.#peer = new Peer(this, { onrequest: (r) => Promise.reject(methodNotFound(r.method)) });
    this.#tag = tag;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * No timeout by default, as on stdio: a person may take long to answer an elicitation; the asking
   * request's signal ends it. A shared session's answer may be lost between instances: there the store's
   * `serverRequestTimeoutMs` bounds the wait.
   */
  request(stream: SseStream, method: string, params: JsonObject | undefined, signal: AbortSignal): Promise<JsonObject> {
    this.#next = stream;
    try {
      return this.#peer.request(method, params, {
        signal,
        timeoutMs: this.#timeoutMs,
        maxTotalTimeoutMs: this.#timeoutMs,
        resetTimeoutOnProgress: false,
      });
    } finally {
      this.#next = undefined;
    }
  }

  answer(message: JsonRpcMessage & { id?: RequestId | null }): void {
    let id = message.id;
    if (this.#tag !== undefined) {
      if (typeof id !== 'string' || !id.startsWith(`${this.#tag}.`)) return;
      id = Number(id.slice(this.#tag.length + 1));
      message = { ...message, id } as typeof message;
    }
    if (id != null) this.#streams.delete(id);
    this.onmessage?.(message);
  }

  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (Array.isArray(message) || !('method' in message)) return;
    if ('id' in message && this.#next) {
      this.#streams.set(message.id, this.#next);
      return this.#next.message(this.#tag === undefined ? message : { ...message, id: `${this.#tag}.${message.id}` });
    }
    const target = message.method === 'notifications/cancelled' ? message.params?.requestId : undefined;
    if (typeof target !== 'string' && typeof target !== 'number') return;
    const stream = this.#streams.get(target);
    this.#streams.delete(target);
    if (this.#tag !== undefined && message.params)
      message = { ...message, params: { ...message.params, requestId: `${this.#tag}.${target}` } };
    stream?.message(message);
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.#streams.clear();
  }
  /** Reject every pending request: the session ended. */
  end(): Promise<void> {
    return this.#peer.close();
  }
}

/** Server-side state of one legacy Streamable HTTP session. @internal */
export class HttpSession {
  legacy: LegacySession | undefined;
  lastSeen = Date.now();
  getStream: SseStream | undefined;
  readonly streams = new Map<string, SseStream>();
  /** Server→client requests awaiting the client's answer (which arrives on a later POST); made on first use. */
  requests: SessionRequests | undefined;
  readonly inflight = new Map<RequestId, LazyAbortController>();
  /** Streams that finished while no client was connected, kept for the resumption window. */
  readonly finished = new Map<string, ReturnType<typeof setTimeout>>();
  nextStream = 0;
  unsubscribe: (() => void) | undefined;
  /** Who opened the session; every later request must act for the same principal (no hijacking by id). */
  principal: string | undefined;
  /** Shared sessions: the revision of the store's record this copy reflects (-1: none yet). */
  rev = -1;
  /** Shared sessions: the store holds its record (its initialize was committed, or it was rebuilt from it). */
  shared = false;
  constructor(
    readonly id: string,
    readonly address: string | undefined,
  ) {}
  /** In use: a request in flight or an open GET stream (a POST stream implies its request). */
  get live(): boolean {
    return this.inflight.size > 0 || this.getStream?.live === true;
  }
}

/**
 * The unit `maxSessionsPerClient` counts: an IPv4 address, or an IPv6 /64 network (one host usually
 * holds a whole /64, so single IPv6 addresses would not bound anything).
 * @internal
 */
export function clientKey(address: string): string {
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A GET stream's id in a shared store (`<instance prefix>-g<n>`; POST streams have no `g`). */
const GET_STREAM = /-g\d+$/;

/** The changes a GET stream announces when it cannot know which happened (its catch-up log is gone). */
const LIST_TYPES = Object.values(LIST_CHANGED).map((l) => l.event);

/** The sequence number of the last event a resumption replayed (or the client had seen). */
function lastSeq(lastEventId: string, missed: { events: { id: string }[] }): number {
  const id = missed.events.at(-1)?.id ?? lastEventId;
  return Number(id.slice(id.lastIndexOf('.') + 1));
}

/** Every legacy session of one endpoint. The core routes HTTP requests here; nothing here writes a status. @internal */
export class LegacySessions {
  /** Least recently used first: eviction and the idle sweep walk from the front. */
  readonly #sessions = new Map<string, HttpSession>();
  /**
   * The session last put at the back of `#sessions` (the eviction order): touching it again leaves the order
   * as it is. Two touches per request would otherwise delete and re-insert it each time, and the Map then
   * rehashes (allocates a new table) every few requests.
   */
  #newest: HttpSession | undefined;
  /** Sessions per client address, for `maxSessionsPerClient`. */
  readonly #perClient = new Map<string, number>();
  readonly #server: Server;
  readonly #store: EventStore;
  readonly #limits: SessionLimits;
  /** A fleet's shared session store: this instance holds copies of sessions whose records live there. */
  readonly #shared: SessionStore | undefined;
  #renewTimer: ReturnType<typeof setInterval> | undefined;

  constructor(server: Server, store: EventStore, limits: SessionLimits, shared?: SessionStore) {
    this.#server = server;
    this.#store = store;
    this.#limits = limits;
    this.#shared = shared;
    if (shared) {
      shared.listen({
        answer: (id, message) => this.#sessions.get(id)?.requests?.answer(message),
        cancelled: (id, requestId) =>
          this.#sessions
            .get(id)
            ?.inflight.get(requestId)
            ?.abort(new McpError(ErrorCode.InternalError, 'Cancelled by the client')),
        ended: (id) => {
          const s = this.#sessions.get(id);
          if (s) this.close(s, 'gone');
        },
        changed: (id) => void this.#refresh(id).catch(() => {}),
      });
      // Sessions in use here without requests (an open GET stream, a long call) stay alive in the store.
      if (shared.renew) {
        const renew = shared.renew.bind(shared);
        this.#renewTimer = setInterval(
          () => {
            const ids = [...this.#sessions.values()].filter((s) => s.live).map((s) => s.id);
            if (ids.length > 0) renew(ids).catch(() => {});
          },
          Math.max(1000, Math.floor((shared.idleMs ?? limits.idleMs) / 3)),
        );
        (this.#renewTimer as { unref?: () => void }).unref?.();
      }
    }
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Whether sessions live in a shared store (requests then check it). */
  get shared(): boolean {
    return this.#shared !== undefined;
  }

  /** Whether the session is still open (a request may outlive it). */
  isOpen(session: HttpSession): boolean {
    return this.#sessions.get(session.id) === session;
  }

  /** A new session, or why not when the client or the server is at its limit. */
  open(remoteAddress: string | undefined): HttpSession | SessionRefusal {
    this.#sweep();
    // Shared sessions: the store counts them per client across the fleet.
    const address = remoteAddress === undefined || this.#shared ? undefined : clientKey(remoteAddress);
    const { maxPerClient } = this.#limits;
    if (address !== undefined && (this.#perClient.get(address) ?? 0) >= maxPerClient) {
      return {
        reason: 'TSMCP_SESSIONS_PER_CLIENT',
        message: `Service Unavailable: this client already holds ${maxPerClient} sessions; end one (DELETE) or retry later`,
      };
    }
    const full = this.#makeRoom();
    if (full) return full;
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    let sid = '';
    for (const b of bytes) sid += b.toString(16).padStart(2, '0');
    const session = new HttpSession(sid, address);
    if (address !== undefined) this.#perClient.set(address, (this.#perClient.get(address) ?? 0) + 1);
    this.#register(session);
    return session;
  }

  /** At `maxSessions`, end (shared: forget the local copy of) the sessions idle the longest, never a live one. */
  #makeRoom(): SessionRefusal | undefined {
    const { maxSessions } = this.#limits;
    if (this.#sessions.size < maxSessions) return undefined;
    // Map order is least recently used first: from the front, skipping live ones.
    for (const s of [...this.#sessions.values()]) {
      if (!s.live) this.close(s, this.#shared ? 'local' : 'end');
      if (this.#sessions.size < maxSessions) return undefined;
    }
    return { reason: 'TSMCP_SESSIONS_FULL', message: 'Service Unavailable: every session is in use; retry later' };
  }

  #register(session: HttpSession): void {
    this.#sessions.set(session.id, session);
    this.#newest = session;
    session.unsubscribe = this.#server.events.subscribe((event, position) => {
      // Stored even while the GET stream is disconnected, so a client that resumes gets it.
      const stream = session.getStream;
      if (!session.legacy || !stream) return;
      if (stream.pending) stream.pending.push({ event, position });
      else this.#change(session, stream, event, position);
    });
  }

  /** A change event for the session's GET stream: sent (and stored) when the session wants it; each position once. */
  #change(session: HttpSession, stream: SseStream, event: ServerEvent, position: EventPosition | undefined): void {
    if (position !== undefined) {
      if (stream.position !== undefined && comparePositions(position, stream.position) <= 0) return;
      stream.position = position;
    }
    const n = legacyNotificationFor(event, session.legacy!, this.#server.capabilities);
    if (n)
      stream.message(
        n.params === undefined
          ? { jsonrpc: '2.0', method: n.method }
          : { jsonrpc: '2.0', method: n.method, params: n.params },
      );
  }

  /**
   * A shared GET stream resumed here (its holder may have died): the changes raised after `from` (the log
   * position kept with its last event) that no instance wrote to it, from the bus's log, then what arrived
   * live meanwhile. When the log no longer reaches back, every list is announced as changed instead.
   */
  async #catchUp(session: HttpSession, stream: SseStream, from: EventPosition): Promise<void> {
    const bus = this.#server.events;
    stream.position = from;
    const pending: NonNullable<SseStream['pending']> = [];
    stream.pending = pending;
    let missed: Awaited<ReturnType<NonNullable<ServerEventBus['since']>>>;
    try {
      missed = await bus.since!(from);
    } catch {
      missed = undefined; // Redis unreachable: the lists are announced as changed
    }
    if (stream.pending === pending) stream.pending = undefined;
    if (session.getStream !== stream || !session.legacy) return;
    if (missed) for (const m of missed) this.#change(session, stream, m.event, m.position);
    else for (const type of LIST_TYPES) this.#change(session, stream, { type }, undefined);
    for (const p of pending) this.#change(session, stream, p.event, p.position);
  }

  /** The server's legacy session began (initialize succeeded): outside any request, the GET stream carries it. */
  adopt(session: HttpSession, legacy: LegacySession): void {
    legacy.notify = async (method, params) => {
      if (!this.isOpen(session) || !session.getStream) return false;
      session.getStream.message({ jsonrpc: '2.0', method, params });
      return true;
    };
    session.legacy = legacy;
  }

  /** The open session `id` names for `principal` (another principal's is unknown: an id is no credential). */
  find(id: string, principal: string | undefined): HttpSession | undefined {
    const s = this.#sessions.get(id);
    if (!s || s.principal !== principal) return undefined;
    if (Date.now() - s.lastSeen > this.#limits.idleMs && !s.live) return void this.close(s);
    this.touch(s);
    return s;
  }

  /**
   * Shared sessions: the session `id` names for `principal`, checked against the store on every request
   * (it may have ended or changed on another instance) and rebuilt here from its record on first sight.
   * Rejects with the store's error when it is unreachable.
   */
  async findShared(
    id: string,
    principal: string | undefined,
    change?: SessionChange,
  ): Promise<HttpSession | SessionRefusal | undefined> {
    const shared = this.#shared!;
    const local = this.#sessions.get(id);
    if (local && local.principal !== principal) return undefined;
    let got = await shared.touch(id, principal, local?.shared ? local.rev : -1, change);
    let s = this.#sessions.get(id);
    if (!got) {
      if (s?.shared) this.close(s, 'gone');
      return undefined;
    }
    if (!s?.shared && !got.state) got = await shared.touch(id, principal, -1); // the copy went meanwhile
    if (!got) return undefined;
    s = this.#sessions.get(id);
    if (!s?.shared) {
      if (!got.state) return undefined;
      const full = this.#makeRoom();
      if (full) return full;
      s = new HttpSession(id, undefined);
      s.principal = principal;
      s.shared = true;
      this.#register(s);
      this.adopt(s, this.#server.restoreLegacySession({ ...got.state, clientInfo: got.state.clientInfo }));
    } else if (got.state && s.legacy) {
      s.legacy.logLevel = got.state.logLevel;
      s.legacy.initialized = got.state.initialized;
      this.#server.setLegacySubscriptions(s.legacy, got.state.subscriptions);
    }
    s.rev = got.rev;
    this.touch(s);
    return s;
  }

  /**
   * Shared sessions: another instance changed session `id` (subscriptions, log level, initialized). The
   * GET stream held here sends notifications by this copy, so it is brought up to date (one round trip,
   * only for a session whose GET stream is here; a failure leaves it to the next request).
   */
  async #refresh(id: string): Promise<void> {
    const s = this.#sessions.get(id);
    if (!s?.shared || !s.legacy || !s.getStream) return;
    const got = await this.#shared!.touch(id, s.principal, s.rev);
    if (this.#sessions.get(id) !== s) return;
    if (!got) return void this.close(s, 'gone');
    if (got.state) {
      s.legacy.logLevel = got.state.logLevel;
      s.legacy.initialized = got.state.initialized;
      this.#server.setLegacySubscriptions(s.legacy, got.state.subscriptions);
    }
    s.rev = got.rev;
  }

  /** Shared sessions: record a new session once its initialize succeeded; throws the refusal (503) or the store's error. */
  async commitNew(session: HttpSession, client: string | undefined): Promise<void> {
    const legacy = session.legacy;
    if (!this.#shared || !legacy) return;
    const refused = await this.#shared.create(session.id, {
      principal: session.principal,
      client,
      version: legacy.version,
      clientCapabilities: legacy.clientCapabilities,
      clientInfo: legacy.clientInfo,
      logLevel: legacy.logLevel,
      subscriptions: [...legacy.subscriptions],
      initialized: legacy.initialized,
    });
    if (refused)
      throw new McpError(
        ErrorCode.InternalError,
        refused.message,
        { reason: refused.reason, retryAfterSeconds: SHARED_RETRY_AFTER_S },
        503,
        { 'retry-after': String(SHARED_RETRY_AFTER_S) },
      );
    session.shared = true;
    session.rev = 0;
  }

  /** Shared sessions: after a request that changed the session's state succeeded, record the change. */
  async commitChange(session: HttpSession, method: string, params: JsonObject | undefined): Promise<void> {
    if (!this.#shared || !session.shared) return;
    const change = changeOf(method, params);
    if (!change) return;
    const got = await this.#shared.touch(session.id, session.principal, session.rev + 1, change);
    // Our own change was the only one since this copy's revision: the copy stays current.
    if (got && got.rev === session.rev + 1) session.rev = got.rev;
  }

  /** Mark a session used now: it moves to the back of the eviction order. */
  touch(session: HttpSession): void {
    session.lastSeen = Date.now();
    if (this.#newest === session) return;
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
    this.#newest = session;
  }

  /**
   * End a session here: `end` ends it (DELETE, expiry, eviction; a shared one is deleted from the store by
   * the caller first), `gone` drops the copy of a shared session that ended elsewhere, `local` drops the
   * copy of a shared session that lives on (its events stay in the store).
   */
  close(session: HttpSession, scope: 'end' | 'gone' | 'local' = 'end'): void {
    if (!this.isOpen(session)) return;
    this.#sessions.delete(session.id);
    if (this.#newest === session) this.#newest = undefined;
    if (session.address !== undefined) {
      const n = (this.#perClient.get(session.address) ?? 1) - 1;
      if (n > 0) this.#perClient.set(session.address, n);
      else this.#perClient.delete(session.address);
    }
    session.unsubscribe?.();
    if (session.legacy) this.#server.endLegacySession(session.legacy);
    for (const c of session.inflight.values()) c.abort(new McpError(ErrorCode.InternalError, 'Session ended'));
    void session.requests?.end();
    session.getStream?.close();
    for (const s of session.streams.values()) s.close();
    for (const t of session.finished.values()) clearTimeout(t);
    session.finished.clear();
    // Ended elsewhere: dropping its events again is harmless, and covers the DELETE whose notice came first.
    if (scope === 'local') this.#store.release?.(session.id);
    else this.#store.dropSession(session.id);
  }

  /** End sessions idle too long (from the front of the LRU order); a live one counts as used now. Shared: drop idle copies. */
  #sweep(): void {
    const now = Date.now();
    for (const s of [...this.#sessions.values()]) {
      if (now - s.lastSeen <= this.#limits.idleMs) break;
      if (s.live) this.touch(s);
      else this.close(s, this.#shared ? 'local' : 'end');
    }
  }

  closeAll(): void {
    clearInterval(this.#renewTimer);
    for (const s of [...this.#sessions.values()]) this.close(s, this.#shared ? 'local' : 'end');
  }

  /** A POST response of the session turned into SSE: numbered, stored, primed from 2025-11-25. */
  openStream(session: HttpSession, sink: StreamSink): SseStream {
    const stream = new SseStream(sink, this.#streamId(session, ''), this.#store, session.id);
    session.streams.set(stream.id, stream);
    if (session.legacy && supports(session.legacy.version, 'ssePolling')) stream.prime();
    return stream;
  }

  /**
   * A new stream id: per session, or with a shared store's prefix per instance (a session's local copy may be
   * dropped and rebuilt while its streams' events live on in the store, so numbers must not restart).
   */
  #streamId(session: HttpSession, kind: '' | 'g'): string {
    const prefix = this.#store.streamPrefix;
    return prefix === undefined ? `${kind}${session.nextStream++}` : `${prefix}${kind}${this.#nextStream++}`;
  }
  #nextStream = 0;

  /** A POST stream ended: forget its events once delivered, else keep them for the resumption window. */
  finish(session: HttpSession, stream: SseStream, delivered: boolean): void {
    session.streams.delete(stream.id);
    if (delivered || !this.isOpen(session)) return this.#store.dropStream(session.id, stream.id);
    const timer = setTimeout(() => {
      session.finished.delete(stream.id);
      this.#store.dropStream(session.id, stream.id);
    }, this.#limits.windowMs);
    (timer as { unref?: () => void }).unref?.();
    session.finished.set(stream.id, timer);
  }

  /** A server→client request, sent on the stream of the client request that caused it. */
  serverRequest(
    session: HttpSession,
    stream: SseStream,
    method: string,
    params: JsonObject | undefined,
    signal: AbortSignal,
  ): Promise<JsonObject> {
    session.requests ??= this.#shared
      ? new SessionRequests(
          this.#shared.instance,
          this.#shared.serverRequestTimeoutMs ?? DEFAULT_SHARED_REQUEST_TIMEOUT_MS,
        )
      : new SessionRequests();
    return session.requests.request(stream, method, params, signal);
  }

  /**
   * The client's answer to a server→client request (one it does not await is ignored). A shared session's
   * answer to a request another instance sent goes to that instance (the prefix of the id names it).
   */
  answer(session: HttpSession, message: JsonRpcMessage & { id?: RequestId | null }): void | Promise<void> {
    const shared = this.#shared;
    const id = message.id;
    if (shared && typeof id === 'string') {
      const dot = id.indexOf('.');
      const instance = dot > 0 ? id.slice(0, dot) : '';
      if (instance && instance !== shared.instance) return shared.route(instance, session.id, message);
    }
    session.requests?.answer(message);
  }

  /** A notification from the client: `initialized`, or the cancellation of one of its requests. */
  notification(session: HttpSession, method: string, params: JsonObject | undefined): void | Promise<void> {
    if (method === 'notifications/initialized' && session.legacy) session.legacy.initialized = true;
    else if (
      method === 'notifications/cancelled' &&
      params &&
      (typeof params.requestId === 'string' || typeof params.requestId === 'number')
    ) {
      const running = session.inflight.get(params.requestId);
      if (running) return running.abort(new McpError(ErrorCode.InternalError, 'Cancelled by the client'));
      // Shared sessions: the request may run on another instance; every instance holding the session checks.
      if (this.#shared?.cancel) return this.#shared.cancel(session.id, params.requestId);
    }
  }

  /**
   * GET with Last-Event-ID: replay what the client missed (only this session's events) on a sink from
   * `open`. False, before opening anything, when the stream cannot be resumed (unknown id, events dropped).
   */
  async resume(
    session: HttpSession,
    lastEventId: string,
    open: () => StreamSink,
    gone?: AbortSignal,
  ): Promise<boolean> {
    const missed = await this.#store.replay(session.id, lastEventId);
    if (!missed || !this.isOpen(session)) return false;
    const sink = open();
    const events = missed.events.map((e) =>
      e.data ? `id: ${e.id}\nevent: message\ndata: ${e.data}\n\n` : `id: ${e.id}\ndata: \n\n`,
    );
    const live =
      session.streams.get(missed.streamId) ??
      (session.getStream?.id === missed.streamId ? session.getStream : undefined);
    const store = this.#store;
    const catchUp = this.#server.events.since && missed.position !== undefined;
    if (live) {
      // A shared GET stream resumed here: write it from the store's last event on (another instance may have).
      const adopted = live === session.getStream && store.adopt;
      if (adopted) store.adopt!(session.id, live.id, lastSeq(lastEventId, missed));
      live.attach(sink, events);
      if (adopted && catchUp) void this.#catchUp(session, live, missed.position!);
    } else if (this.#shared && store.adopt && GET_STREAM.test(missed.streamId) && !session.getStream?.live) {
      // Another instance's GET stream (it may be dead): it goes on here, or later events would reach no one.
      store.adopt(session.id, missed.streamId, lastSeq(lastEventId, missed));
      if (session.getStream) {
        session.getStream.close();
        store.dropStream(session.id, session.getStream.id);
      }
      const stream = new SseStream(sink, missed.streamId, store, session.id);
      session.getStream = stream;
      for (const e of events) sink.write(e, true);
      stream.keepAlive(this.#limits.keepAliveMs);
      gone?.addEventListener('abort', () => stream.detach(sink), { once: true });
      if (catchUp) void this.#catchUp(session, stream, missed.position!);
    } else {
      for (const e of events) sink.write(e, true);
      const delivered = !sink.closed;
      sink.end();
      // A finished stream replayed in full: nothing left to resume.
      if (delivered && session.finished.has(missed.streamId)) {
        clearTimeout(session.finished.get(missed.streamId));
        session.finished.delete(missed.streamId);
        this.#store.dropStream(session.id, missed.streamId);
      }
    }
    return true;
  }

  /** A fresh GET stream (no Last-Event-ID); it replaces the old one, whose kept events can no longer be asked for. */
  openGetStream(session: HttpSession, sink: StreamSink, gone: AbortSignal): void {
    if (session.getStream) {
      session.getStream.close();
      this.#store.dropStream(session.id, session.getStream.id);
    }
    const stream = new SseStream(sink, this.#streamId(session, 'g'), this.#store, session.id);
    stream.position = this.#server.events.position; // it has seen every change up to now
    session.getStream = stream;
    if (session.legacy && supports(session.legacy.version, 'ssePolling')) stream.prime();
    stream.keepAlive(this.#limits.keepAliveMs);
    gone.addEventListener('abort', () => stream.detach(sink), { once: true });
  }
}
