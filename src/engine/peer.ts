// The transport-agnostic JSON-RPC peer: ids, correlation, timeouts, cancellation and progress.
// Client and server both sit on one Peer per connection; neither knows which transport carries it.
import { ErrorCode, McpError, toJsonRpcError, TsmcpError } from '../protocol/errors.js';
import {
  classify,
  errorResponse,
  isObject,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type RequestId,
} from '../protocol/jsonrpc.js';
import type { ProgressParams } from '../protocol/types.js';
import type { FrameError, Transport } from '../protocol/transport.js';
import { type CancelSignal, LazyAbortController } from './cancel.js';

/** Options of one outgoing request. */
export interface RequestOptions {
  /** Aborting cancels the request: the promise rejects and the peer is told (`notifications/cancelled`). */
  signal?: AbortSignal;
  /** Milliseconds without an answer (or progress) before the request fails. Default: the peer's `requestTimeoutMs` (60 000). */
  timeoutMs?: number;
  /** Progress resets the timeout. Default true: long calls that report progress stay alive. */
  resetTimeoutOnProgress?: boolean;
  /** Hard cap on the whole request, whatever progress says. Default: 10 × `timeoutMs`. */
  maxTotalTimeoutMs?: number;
  /** Called for each `notifications/progress`; setting it sends a `progressToken`. */
  onprogress?: (progress: ProgressParams) => void;
  /** Learn the JSON-RPC id before the request is sent (to demultiplex what arrives for it). */
  onid?: (id: RequestId) => void;
  /**
   * Whether a timeout or an aborted `signal` tells the peer (`notifications/cancelled`). Default true;
   * `false` for `initialize`, which the spec forbids cancelling: the request still fails locally.
   */
  cancellable?: boolean;
  /**
   * Whether the peer may end this request with `notifications/cancelled` naming its id (a server tearing
   * down `subscriptions/listen`): the promise then rejects with `TSMCP_CANCELLED`. Default false.
   */
  peerCancellable?: boolean;
}

/** What a handler of an incoming request gets besides the message. */
export interface IncomingContext {
  readonly id: RequestId;
  readonly method: string;
  /** Fires when the peer cancels the request or the connection closes. */
  readonly signal: AbortSignal;
  /** The same cancellation, lazy: `aborted` without building the AbortSignal (for `Server.dispatch`). */
  readonly cancel: CancelSignal;
  /** Send a notification related to this request (progress, log); dropped once the request was cancelled. */
  notify(method: string, params?: JsonObject): Promise<void>;
}

export interface PeerHandlers {
  /** Answer a request: resolve with the result object, or throw McpError for a JSON-RPC error. */
  onrequest(request: JsonRpcRequest, ctx: IncomingContext): Promise<JsonObject> | JsonObject;
  /** A notification other than cancelled/progress (those the peer handles itself). */
  onnotification?(notification: JsonRpcNotification): void;
  /** Turn an unexpected (non-McpError) exception into the error sent; default: -32603 with no detail. */
  onunexpectederror?(error: unknown, request: JsonRpcRequest): JsonRpcErrorObject;
  /**
   * Whether an incoming request may be handled at all. `false` drops it: no handler runs and nothing is
   * sent back (a 2026-07-28 client never writes responses). Default: every request is handled.
   */
  admits?(request: JsonRpcRequest): boolean;
  /** Decide whether a JSON-RPC batch is acceptable (only 2025-03-26 allows them). Default: no. */
  acceptsBatch?(): boolean;
}

export interface PeerOptions {
  /** Default per-request timeout in ms. Default 60 000. */
  requestTimeoutMs?: number;
  /** Observe protocol problems the peer recovered from (bad frames, stray responses). */
  onprotocolerror?: (error: Error) => void;
  /**
   * Most incoming requests whose handlers run at once on this connection (at least 1; `Infinity` turns
   * the bound off). A request over it is answered at once with -32603 (`data.maxConcurrentRequests`)
   * and no handler runs; the connection keeps serving. `ping` and notifications (`notifications/cancelled`
   * above all) are always processed. Requests pipelined in one read count together until they finish.
   * Default 256.
   */
  maxConcurrentRequests?: number;
  /** The first request id (default 1): a client speaking to a restarted server goes on from the old connection's ids, so none is reused in logs. */
  firstId?: number;
}

/** Default of `PeerOptions.maxConcurrentRequests`. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;

interface Pending {
  resolve(result: JsonObject): void;
  reject(error: Error): void;
  onprogress?: (p: ProgressParams) => void;
  /** When the request times out (Date.now() ms): the next silence timeout, capped by `deadline`; Infinity for none. */
  due: number;
  deadline: number;
  timeoutMs: number;
  resetOnProgress: boolean;
  method: string;
  cancellable: boolean;
  peerCancellable: boolean;
  cleanup(): void;
}

/** One JSON-RPC connection over a Transport. */
export class Peer {
  readonly #transport: Transport;
  readonly #handlers: PeerHandlers;
  readonly #timeoutMs: number;
  readonly #onprotocolerror: ((error: Error) => void) | undefined;
  readonly #pending = new Map<RequestId, Pending>();
  readonly #progress = new Map<string | number, RequestId>();
  readonly #incoming = new Map<RequestId, LazyAbortController>();
  readonly #maxIncoming: number;
  /** Handlers running for incoming requests other than ping (bounded by #maxIncoming). */
  #running = 0;
  #nextId = 1;
  #closed = false;
  /**
   * One timer for all outgoing requests instead of a setTimeout/clearTimeout pair per request (≈ 6% of client
   * CPU): it is armed for the earliest `due` and, when it fires, fails what is due and re-arms for the next.
   * An answer does not touch it; it is kept (unref'd, so it holds no process open) while nothing is pending,
   * and ref'd again when a request is sent. `#sweepAt` is the time it is armed for (Infinity: no timer).
   */
  #sweep: ReturnType<typeof setTimeout> | undefined;
  #sweepAt = Number.POSITIVE_INFINITY;
  #sweepRef = false;
  /** Pending requests that have a timeout (a finite `due`): the timer is ref'd only while there are some. */
  #timed = 0;
  readonly #onSweep = (): void => this.#expire();
  /** Why the transport closed, when it said (a server process exit): later requests fail with it too. */
  #closeReason: Error | undefined;
  /** Sends an answer of #answer (one function for the connection, not a closure per message). */
  readonly #reply = (response: JsonRpcMessage | undefined): void => {
    if (response !== undefined) void this.send(response);
  };
  /** Fires once when the connection ends; `reason` says why when the transport knows (a server process exit). */
  onclose?: (reason?: Error) => void;

  constructor(transport: Transport, handlers: PeerHandlers, options: PeerOptions = {}) {
    this.#transport = transport;
    this.#handlers = handlers;
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#onprotocolerror = options.onprotocolerror;
    this.#maxIncoming = options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS;
    this.#nextId = options.firstId ?? 1;
    transport.onmessage = (value) => this.#receive(value);
    transport.onframeerror = (e) => this.#frameError(e);
    transport.onclose = (reason) => this.#closedByTransport(reason);
    transport.onerror = (e) => this.#onprotocolerror?.(e);
    transport.onrequestfailed = (id, error) => {
      const entry = this.#pending.get(id);
      if (entry && this.#settle(id)) entry.reject(error);
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The id the next request will get. */
  get nextId(): number {
    return this.#nextId;
  }

  /** Incoming requests (other than ping) whose handlers are running: at most `maxConcurrentRequests`. */
  get incomingInFlight(): number {
    return this.#running;
  }

  start(): Promise<void> {
    return this.#transport.start();
  }

  async close(): Promise<void> {
    await this.#transport.close();
    this.#closedByTransport();
  }

  /** Send a request and await its result; rejects with McpError (peer said no) or TsmcpError (local). */
  request(method: string, params: JsonObject | undefined, options: RequestOptions = {}): Promise<JsonObject> {
    if (this.#closed) {
      const why = this.#closeReason;
      return Promise.reject(
        new TsmcpError('TSMCP_CONNECTION_CLOSED', `Connection closed${why ? `: ${why.message}` : ''}`, { cause: why }),
      );
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(cancelled(signal.reason));
    const id = this.#nextId++;
    const message: JsonRpcRequest = { jsonrpc: '2.0', id, method };
    if (options.onprogress) {
      const meta = isObject(params?._meta) ? params!._meta : {};
      message.params = { ...params, _meta: { ...meta, progressToken: id } };
      this.#progress.set(id, id);
    } else if (params !== undefined) {
      message.params = params;
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    options.onid?.(id);
    return new Promise<JsonObject>((resolve, reject) => {
      const onAbort = () => {
        this.#settle(id);
        if (entry.cancellable) this.#sendCancel(id, String(signal!.reason ?? 'cancelled'));
        reject(cancelled(signal!.reason));
      };
      const entry: Pending = {
        resolve,
        reject,
        onprogress: options.onprogress,
        due: Number.POSITIVE_INFINITY,
        deadline: Date.now() + (options.maxTotalTimeoutMs ?? timeoutMs * 10), // Infinity when there is no timeout
        timeoutMs,
        resetOnProgress: options.resetTimeoutOnProgress ?? true,
        method,
        cancellable: options.cancellable ?? true,
        peerCancellable: options.peerCancellable ?? false,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      this.#pending.set(id, entry);
      this.#arm(entry, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#transport.send(message).catch((e) => {
        if (this.#settle(id))
          reject(new TsmcpError('TSMCP_CONNECTION_CLOSED', `Could not send ${method}`, { cause: e }));
      });
    });
  }

  /** Send a notification. */
  notify(method: string, params?: JsonObject): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const message: JsonRpcNotification =
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    return this.#transport.send(message).catch((e) => this.#onprotocolerror?.(e));
  }

  /** Send a raw message (used by servers that answer out of band). */
  send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#transport.send(message).catch((e) => this.#onprotocolerror?.(e));
  }

  /** (Re)starts the entry's silence timeout: it fails `ms` from now, or at its hard deadline if sooner. */
  #arm(entry: Pending, ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return; // no timeout (long-lived requests such as subscriptions/listen)
    const now = Date.now();
    if (entry.due === Number.POSITIVE_INFINITY) this.#timed++;
    entry.due = Math.min(now + ms, entry.deadline);
    // Requests mostly share one timeout, so a new one is due after the timer: then only make sure it is ref'd.
    if (entry.due < this.#sweepAt) this.#schedule(entry.due, now);
    else if (!this.#sweepRef) {
      this.#sweep!.ref();
      this.#sweepRef = true;
    }
  }

  /** Arms the one timer for `at` (never before it: #expire checks each entry's own `due`). */
  #schedule(at: number, now: number): void {
    clearTimeout(this.#sweep);
    this.#sweepAt = at;
    if (at === Number.POSITIVE_INFINITY) {
      this.#sweep = undefined;
      this.#sweepRef = false;
      return;
    }
    // setTimeout takes at most 2^31-1 ms; a later `at` just re-arms when this fires early (nothing is due yet).
    this.#sweep = setTimeout(this.#onSweep, Math.min(Math.max(0, at - now), 0x7fffffff));
    this.#sweepRef = true;
  }

  /** The timer fired: fail every request whose `due` has passed, in the order they were sent; re-arm for the rest. */
  #expire(): void {
    this.#sweep = undefined;
    this.#sweepAt = Number.POSITIVE_INFINITY;
    this.#sweepRef = false;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    let expired: [RequestId, Pending][] | undefined;
    for (const item of this.#pending) {
      const due = item[1].due;
      if (due <= now) (expired ??= []).push(item);
      else if (due < next) next = due;
    }
    // Re-armed before failing anything: a rejection's handlers may send new requests, which compare with #sweepAt.
    if (next !== Number.POSITIVE_INFINITY) this.#schedule(next, now);
    if (expired) for (const [id, entry] of expired) this.#timeout(id, entry);
  }

  #timeout(id: RequestId, entry: Pending): void {
    if (!this.#settle(id)) return;
    if (entry.cancellable) this.#sendCancel(id, 'timeout');
    entry.reject(
      new TsmcpError(
        'TSMCP_TIMEOUT',
        `${entry.method} request ${id} timed out after ${entry.timeoutMs} ms${entry.cancellable ? '' : ' (not cancelled: the protocol forbids cancelling it)'}`,
      ),
    );
  }

  /** Remove a pending request; true if it was still pending. */
  #settle(id: RequestId): boolean {
    const entry = this.#pending.get(id);
    if (!entry) return false;
    this.#pending.delete(id);
    this.#progress.delete(id);
    // Nothing left to time out: the timer may stay armed (it finds nothing due) but must not hold the process.
    if (entry.due !== Number.POSITIVE_INFINITY && --this.#timed === 0 && this.#sweepRef) {
      this.#sweep!.unref();
      this.#sweepRef = false;
    }
    entry.cleanup();
    return true;
  }

  #sendCancel(id: RequestId, reason: string): void {
    void this.notify('notifications/cancelled', { requestId: id, reason });
  }

  #frameError(e: FrameError): void {
    this.#onprotocolerror?.(new McpError(e.code, e.message));
    // An oversize request whose id the transport read is answered under that id (no timeout for its sender).
    void this.send(errorResponse(e.id, { code: e.code, message: e.message }));
  }

  #receive(value: unknown): void {
    const c = classify(value);
    switch (c.kind) {
      case 'request':
        this.#answer(c.message, this.#reply);
        return;
      case 'notification':
        this.#notification(c.message);
        return;
      case 'result':
      case 'error':
        this.#response(
          c.message.id,
          c.kind === 'result' ? c.message.result : undefined,
          c.kind === 'error' ? c.message.error : undefined,
        );
        return;
      case 'batch':
        void this.#batch(c.messages);
        return;
      case 'invalid':
        this.#onprotocolerror?.(new McpError(c.error.code, c.error.message));
        void this.send(errorResponse(c.id, c.error));
    }
  }

  async #batch(values: unknown[]): Promise<void> {
    if (!this.#handlers.acceptsBatch?.()) {
      void this.send(
        errorResponse(undefined, {
          code: ErrorCode.InvalidRequest,
          message: 'Invalid request: JSON-RPC batches are not supported by this protocol revision',
        }),
      );
      return;
    }
    const answers = await Promise.all(
      values.map(async (v): Promise<JsonRpcMessage | undefined> => {
        const c = classify(v);
        if (c.kind === 'request') return new Promise((resolve) => this.#answer(c.message, resolve));
        if (c.kind === 'notification') this.#notification(c.message);
        else if (c.kind === 'result' || c.kind === 'error')
          this.#response(
            c.message.id,
            c.kind === 'result' ? c.message.result : undefined,
            c.kind === 'error' ? c.message.error : undefined,
          );
        else if (c.kind === 'invalid' || c.kind === 'batch') {
          return errorResponse(c.kind === 'invalid' ? c.id : undefined, {
            code: ErrorCode.InvalidRequest,
            message: c.kind === 'invalid' ? c.error.message : 'Invalid request: nested batch',
          });
        }
        return undefined;
      }),
    );
    const out = answers.filter((a): a is JsonRpcMessage => a !== undefined);
    if (out.length) void this.send(out);
  }

  /**
   * Run the handler for one request and hand `reply` the response to send (undefined: dropped or
   * cancelled). Not async, and the reply goes straight from the handler's settlement: an async function
   * plus a `.then` to send cost two promises and ticks per message, which show on pipelined stdio.
   */
  #answer(request: JsonRpcRequest, reply: (response: JsonRpcMessage | undefined) => void): void {
    const { id } = request;
    if (this.#handlers.admits?.(request) === false) {
      this.#onprotocolerror?.(
        new McpError(
          ErrorCode.InvalidRequest,
          `Dropped an incoming ${request.method} request: the peer may not send it on this connection`,
        ),
      );
      return reply(undefined);
    }
    if (this.#incoming.has(id)) {
      return reply(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid request: id ${JSON.stringify(id)} is already in use by a request in flight`,
        }),
      );
    }
    // Ping stays outside the bound: it is how a peer checks that a busy connection is still alive.
    const counted = request.method !== 'ping';
    if (counted && this.#running >= this.#maxIncoming) {
      const max = this.#maxIncoming;
      return reply(
        errorResponse(id, {
          code: ErrorCode.InternalError,
          message: `Too many requests in flight: this connection runs at most ${max} at once (maxConcurrentRequests); retry after one finishes`,
          data: { maxConcurrentRequests: max },
        }),
      );
    }
    if (counted) this.#running++;
    // Lazy: most requests are never cancelled and no handler reads the signal, so no AbortController
    // (an EventTarget) is built for them; `ctx.signal` builds it on first access.
    const ctx = new Incoming(this, id, request.method);
    const cancel = ctx.cancel;
    this.#incoming.set(id, cancel);
    const finish = (): void => {
      this.#incoming.delete(id);
      if (counted) this.#running--;
    };
    const failed = (e: unknown): void => {
      finish();
      reply(
        cancel.aborted
          ? undefined
          : errorResponse(
              id,
              toJsonRpcError(e, (x) => this.#handlers.onunexpectederror?.(x, request)),
            ),
      );
    };
    let answer: Promise<JsonObject> | JsonObject;
    try {
      answer = this.#handlers.onrequest(request, ctx);
    } catch (e) {
      // As an async handler's rejection: answered on a later tick, never inside the caller's read.
      void Promise.resolve().then(() => failed(e));
      return;
    }
    // Promise.resolve of a native promise is that promise: no extra allocation on the usual path.
    Promise.resolve(answer).then((result) => {
      finish();
      reply(cancel.aborted ? undefined : { jsonrpc: '2.0', id, result });
    }, failed);
  }

  #notification(n: JsonRpcNotification): void {
    const p = n.params;
    if (n.method === 'notifications/cancelled') {
      const target = p?.requestId;
      if (typeof target === 'string' || typeof target === 'number') {
        const why = typeof p?.reason === 'string' ? p.reason : 'Cancelled by peer';
        const incoming = this.#incoming.get(target);
        if (incoming) incoming.abort(new TsmcpError('TSMCP_CANCELLED', why));
        else {
          // Only requests marked peerCancellable (subscriptions/listen) may be ended by the other side.
          const entry = this.#pending.get(target);
          if (entry?.peerCancellable && this.#settle(target))
            entry.reject(new TsmcpError('TSMCP_CANCELLED', `The peer cancelled ${entry.method}: ${why}`));
        }
      }
    } else if (
      n.method === 'notifications/progress' &&
      p &&
      (typeof p.progressToken === 'string' || typeof p.progressToken === 'number')
    ) {
      const id = this.#progress.get(p.progressToken);
      const entry = id === undefined ? undefined : this.#pending.get(id);
      if (entry && typeof p.progress === 'number') {
        if (entry.resetOnProgress) this.#arm(entry, entry.timeoutMs);
        try {
          entry.onprogress?.(p as unknown as ProgressParams);
        } catch (e) {
          this.#onprotocolerror?.(e as Error);
        }
      }
    }
    this.#handlers.onnotification?.(n);
  }

  #response(id: RequestId | undefined, result: JsonObject | undefined, error: JsonRpcErrorObject | undefined): void {
    const entry = id === undefined ? undefined : this.#pending.get(id);
    if (!entry || id === undefined) {
      // A response to nothing (or to a request we already gave up on): ignore it, as the spec says.
      if (error) this.#onprotocolerror?.(new McpError(error.code, `Peer sent an error: ${error.message}`, error.data));
      else
        this.#onprotocolerror?.(
          new TsmcpError('TSMCP_INVALID_RESPONSE', `Response to unknown request id ${JSON.stringify(id)}`),
        );
      return;
    }
    this.#settle(id);
    if (error) entry.reject(new McpError(error.code, error.message, error.data));
    else entry.resolve(result!);
  }

  #closedByTransport(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const why = reason ? `: ${reason.message}` : '';
    // A reason may say itself what a waiting request missed (stdio's ServerExitError: "… exited with code 1
    // before answering (stderr: …)"), which reads better than the generic sentence around its message.
    const told = (reason as { beforeAnswering?: unknown } | undefined)?.beforeAnswering;
    const pending = typeof told === 'string' ? told : `Connection closed before the response arrived${why}`;
    for (const [id, entry] of [...this.#pending]) {
      this.#settle(id);
      entry.reject(new TsmcpError('TSMCP_CONNECTION_CLOSED', pending, { cause: reason }));
    }
    this.#schedule(Number.POSITIVE_INFINITY, 0); // no timer left behind
    for (const c of this.#incoming.values())
      c.abort(new TsmcpError('TSMCP_CONNECTION_CLOSED', `Connection closed${why}`, { cause: reason }));
    this.onclose?.(reason);
  }
}

/** The context of one incoming request: a class, so no closure per request, and the signal built only if read. */
class Incoming implements IncomingContext {
  readonly cancel = new LazyAbortController();
  readonly #peer: Peer;
  readonly id: RequestId;
  readonly method: string;

  constructor(peer: Peer, id: RequestId, method: string) {
    this.#peer = peer;
    this.id = id;
    this.method = method;
  }

  get signal(): AbortSignal {
    return this.cancel.signal;
  }

  notify(method: string, params?: JsonObject): Promise<void> {
    return this.cancel.aborted ? Promise.resolve() : this.#peer.notify(method, params);
  }
}

function cancelled(reason: unknown): TsmcpError {
  return new TsmcpError(
    'TSMCP_CANCELLED',
    `Request cancelled${reason !== undefined ? `: ${String(reason instanceof Error ? reason.message : reason)}` : ''}`,
  );
}
