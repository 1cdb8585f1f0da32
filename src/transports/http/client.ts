// Client side of Streamable HTTP, both eras: each message is a POST (fetch, injectable); answers come
// back as JSON or SSE (parsed with eventsource-parser). Legacy sessions re-initialize after a 404
// without losing the caller's request, and streams resume with Last-Event-ID honouring `retry:`.
import type { HttpAuthProvider } from '../../protocol/auth-provider.js';
import { composeFetch, type FetchMiddleware } from '../../engine/fetch-middleware.js';
import { readCapped } from '../shared/read-capped.js';
import { SseReader } from './sse-reader.js';
import { ErrorCode, TsmcpError } from '../../protocol/errors.js';
import { supports } from '../../protocol/features.js';
import {
  classify,
  isObject,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type RequestId,
} from '../../protocol/jsonrpc.js';
import { META } from '../../protocol/meta.js';
import type { HeaderParam } from '../../protocol/x-mcp-header.js';
import type { FrameError, Transport } from '../../protocol/transport.js';
import { encodeHeaderValue, nameOf } from './headers.js';

export interface StreamableHttpClientOptions {
  /** The fetch to use (for proxies, tests, auth wrappers). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Middleware around every HTTP exchange (POST, GET stream, DELETE), the first outermost, over `fetch`. */
  fetchMiddleware?: readonly FetchMiddleware[];
  /**
   * Authorization (e.g. tsmcp/auth's `oauthClient()`): its `headers()` go on every exchange; on a 401 (or
   * 403) the provider (re)authorizes and the exchange is sent once more. The auth layer wraps
   * `fetchMiddleware`, so a middleware sees each real exchange, the 401 included.
   */
  auth?: HttpAuthProvider;
  /** Extra headers on every request (e.g. Authorization), or a function that returns them. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Reconnection of legacy SSE streams: first delay, cap, and consecutive attempts. Defaults 1 s, 30 s, 5. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxRetries?: number };
  /** Open the legacy session's GET stream for server notifications. Default true. */
  getStream?: boolean;
  /**
   * Largest JSON response body, or single SSE event, in bytes (an SSE event is measured in characters,
   * never more than its bytes). Over it the request fails with `TSMCP_MESSAGE_TOO_LARGE` and its
   * connection is dropped, so a server cannot make the client buffer without end. Default 32 MiB
   * (`DEFAULT_HTTP_MAX_MESSAGE_BYTES`).
   */
  maxMessageBytes?: number;
  /**
   * 2026-07-28 has no stream resumption: a request whose response breaks after it began (the connection
   * drops before the answer) is re-issued as a new request with a new id (SEP-2575), at most `maxReissues`
   * times (default 3, `DEFAULT_HTTP_MAX_REISSUES`), waiting `initialDelayMs` (default 250) doubling up to
   * `maxDelayMs` (default 5 000) between tries. It stops when the caller cancels or the request times
   * out; past the limit the request fails with `TSMCP_HTTP`. A connection refused outright is not re-issued,
   * nor is `subscriptions/listen` (the client's subscription listens again itself).
   */
  reissue?: { maxReissues?: number; initialDelayMs?: number; maxDelayMs?: number };
}

/**
 * Adds the provider's headers to each exchange; after a 401 (then a 403) that the provider resolved, sends
 * the exchange once more: at most one retry per status (plus one per send for a DPoP nonce), so a server
 * cannot loop the client.
 */
function authorizedFetch(inner: typeof fetch, auth: HttpAuthProvider): typeof fetch {
  return async (input, init) => {
    const request = {
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      url: input instanceof Request ? input.url : String(input),
    };
    const discard = (r: Response) => void r.body?.cancel().catch(() => {}); // the provider may have read it
    let sent: string | undefined; // the authorization of the last send: a late 401 may be for a replaced token
    const once = async () => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(await auth.headers(request))) headers.set(k, v);
      sent = headers.get('authorization') ?? undefined;
      const r = await inner(input, { ...init, headers });
      auth.onResponse?.(r, request);
      return r;
    };
    // A nonce challenge costs one more send (with a new proof), never a re-authorization.
    const send = async () => {
      const r = await once();
      if (r.status !== 401 || !auth.onNonce?.(r)) return r;
      discard(r);
      return once();
    };
    let res = await send();
    if (res.status === 401 && (await auth.onUnauthorized(res, { ...request, authorization: sent }))) {
      discard(res);
      res = await send();
    }
    if (res.status === 403 && auth.onForbidden && (await auth.onForbidden(res))) {
      discard(res);
      res = await send();
    }
    return res;
  };
}

/** Default of `maxMessageBytes`: 32 MiB. */
export const DEFAULT_HTTP_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Default of `reissue.maxReissues`: 3. */
export const DEFAULT_HTTP_MAX_REISSUES = 3;
/** Errors only a 2026-07-28 endpoint sends; an intermediary may send them without an id. */
const MODERN_ERRORS = new Set([-32020, -32021, -32022]);

const ACCEPT = 'application/json, text/event-stream';

function tooLarge(max: number, what: string): TsmcpError {
  return new TsmcpError(
    'TSMCP_MESSAGE_TOO_LARGE',
    `${what} exceeds the ${max}-byte limit (maxMessageBytes of the HTTP client transport)`,
  );
}

/** Read a JSON body as text, holding at most `max` bytes; a larger Content-Length fails before any read. */
async function readCappedResponse(res: Response, max: number): Promise<string> {
  const declared = res.headers.get('content-length');
  const text = await readCapped(res.body, declared, max);
  if (text === undefined)
    throw tooLarge(max, Number(declared) > max ? `A response body of ${declared} bytes` : 'The response body');
  return text;
}

/** Streamable HTTP client transport for one MCP endpoint. */
export class StreamableHttpClientTransport implements Transport {
  readonly #url: URL;
  readonly #options: StreamableHttpClientOptions;
  readonly #fetch: typeof fetch;
  readonly #max: number;
  /** Requests posted to the HTTP+SSE endpoint whose answer has not come back on the stream yet. */
  readonly #ssePending = new Set<RequestId>();
  readonly #inflight = new Map<RequestId, AbortController>();
  readonly #modernIds = new Set<RequestId>();
  /** Set once the server turned out to speak only the 2024-11-05 HTTP+SSE transport. */
  #sse: { endpoint: URL; stream: AbortController } | undefined;
  readonly #toolHeaders = new Map<string, HeaderParam[]>();
  readonly #closer = new AbortController();
  #session: string | undefined;
  #legacyVersion: string | undefined;
  #initialize: JsonRpcRequest | undefined;
  #reinitializing: Promise<void> | undefined;
  #closed = false;
  #getStreamOpen = false;
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  onrequestfailed?: (id: RequestId, error: Error) => void;

  constructor(url: string | URL, options: StreamableHttpClientOptions = {}) {
    this.#url = new URL(url);
    this.#options = options;
    const base = options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
    const composed = options.fetchMiddleware?.length ? composeFetch(base, ...options.fetchMiddleware) : base;
    this.#fetch = options.auth ? authorizedFetch(composed, options.auth) : composed;
    this.#max = options.maxMessageBytes ?? DEFAULT_HTTP_MAX_MESSAGE_BYTES;
  }

  /** The server's identity for the client's era cache: one verdict per endpoint. */
  get eraCacheKey(): string {
    return `http:${this.#url.origin}${this.#url.pathname}`;
  }
  /** The legacy session id, once the server issued one. */
  get sessionId(): string | undefined {
    return this.#session;
  }

  /** Tell the transport which arguments of a tool go into Mcp-Param-* headers (the client does this after tools/list). */
  setToolHeaders(tool: string, params: HeaderParam[]): void {
    if (params.length) this.#toolHeaders.set(tool, params);
    else this.#toolHeaders.delete(tool);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closer.abort();
    for (const c of this.#inflight.values()) c.abort();
    this.#ssePending.clear();
    if (this.#session) {
      // Politely end the legacy session (the server may answer 405; either is fine).
      await this.#fetch(this.#url, {
        method: 'DELETE',
        headers: { ...(await this.#extraHeaders()), ...this.#sessionHeaders() },
      }).then(
        (r) => r.body?.cancel(),
        () => undefined,
      );
    }
    this.onclose?.();
  }

  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed) throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'Transport closed');
    if (Array.isArray(message)) return this.#post(message, this.#sessionHeaders(), undefined);
    const c = classify(message);
    if (this.#sse && c.kind !== 'notification')
      return this.#postSse(message, c.kind === 'request' ? c.message.id : undefined);
    if (c.kind === 'request') {
      const r = c.message;
      if (r.method === 'initialize') {
        this.#initialize = r;
        this.#session = undefined;
        return this.#post(r, {}, r.id);
      }
      const version = isObject(r.params?._meta) ? r.params!._meta[META.protocolVersion] : undefined;
      if (typeof version === 'string') return this.#sendModern(r, version);
      return this.#post(r, this.#sessionHeaders(), r.id);
    }
    if (c.kind === 'notification') {
      const n = c.message;
      const target = n.params?.requestId;
      if (
        n.method === 'notifications/cancelled' &&
        (typeof target === 'string' || typeof target === 'number') &&
        this.#modernIds.has(target)
      ) {
        // 2026-07-28: closing the response stream is the cancellation.
        this.#inflight.get(target)?.abort();
        return;
      }
      if (this.#sse) {
        if (n.method === 'notifications/cancelled' && (typeof target === 'string' || typeof target === 'number'))
          this.#ssePending.delete(target);
        return this.#postSse(n, undefined);
      }
      if (!this.#session) return; // modern clients send no other notifications over HTTP
      await this.#post(n, this.#sessionHeaders(), undefined);
      if (n.method === 'notifications/initialized' && this.#options.getStream !== false && !this.#getStreamOpen)
        void this.#getStream();
      return;
    }
    // A response to a legacy server→client request.
    await this.#post(message, this.#sessionHeaders(), undefined);
  }

  async #extraHeaders(): Promise<Record<string, string>> {
    const h = this.#options.headers;
    return typeof h === 'function' ? await h() : (h ?? {});
  }

  #sessionHeaders(): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.#session) h['mcp-session-id'] = this.#session;
    if (this.#legacyVersion && supports(this.#legacyVersion, 'protocolVersionHeader'))
      h['mcp-protocol-version'] = this.#legacyVersion;
    return h;
  }

  #modernHeaders(r: JsonRpcRequest, version: string): Record<string, string> {
    const h: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': encodeHeaderValue(r.method) };
    const name = nameOf(r.method, r.params);
    if (name !== undefined) h['mcp-name'] = encodeHeaderValue(name);
    if (r.method === 'tools/call' && typeof r.params?.name === 'string') {
      const args = isObject(r.params.arguments) ? r.params.arguments : {};
      for (const p of this.#toolHeaders.get(r.params.name) ?? []) {
        const v = args[p.property];
        if (v === undefined || v === null) continue;
        h[`mcp-param-${p.header.toLowerCase()}`] = encodeHeaderValue(typeof v === 'string' ? v : String(v));
      }
    }
    return h;
  }

  /** POST one message (or batch) and deliver whatever comes back. */
  async #post(
    body: JsonRpcMessage | JsonRpcMessage[],
    headers: Record<string, string>,
    id: RequestId | undefined,
    retried = false,
  ): Promise<void> {
    const controller = new AbortController();
    if (id !== undefined) this.#inflight.set(id, controller);
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { ...(await this.#extraHeaders()), 'content-type': 'application/json', accept: ACCEPT, ...headers },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (e) {
      if (id !== undefined) this.#inflight.delete(id);
      if (controller.signal.aborted) return;
      if (id === undefined) throw new TsmcpError('TSMCP_HTTP', fetchFailed(this.#url, e), { cause: e });
      this.onrequestfailed?.(id, new TsmcpError('TSMCP_HTTP', fetchFailed(this.#url, e), { cause: e }));
      return;
    }
    // Spec fallback: initialize refused with 400/404/405 ⇒ try the 2024-11-05 HTTP+SSE transport.
    if (
      !this.#sse &&
      [400, 404, 405].includes(res.status) &&
      isObject(body) &&
      (body as { method?: string }).method === 'initialize'
    ) {
      // A modern-only MCP server refuses initialize with -32022 and its versions: final, and the caller's to see.
      if (res.status === 400 && (await refusesVersion(res.clone(), this.#max)))
        return void this.#answer(res, id, controller, body);
      await res.body?.cancel();
      if (id !== undefined) this.#inflight.delete(id);
      if (await this.#openSse()) return this.#postSse(body, id);
      if (id !== undefined)
        this.onrequestfailed?.(
          id,
          new TsmcpError('TSMCP_HTTP', `HTTP ${res.status} for initialize, and no HTTP+SSE endpoint either`),
        );
      return;
    }
    const minted = res.headers.get('mcp-session-id');
    if (minted && isObject(body) && (body as JsonRpcRequest).method === 'initialize') this.#session = minted;
    // A legacy session the server forgot: initialize again, then resend, once.
    if (
      res.status === 404 &&
      this.#session &&
      !retried &&
      this.#initialize &&
      (body as JsonRpcRequest).method !== 'initialize'
    ) {
      await res.body?.cancel();
      if (id !== undefined) this.#inflight.delete(id);
      await this.#reinitialize();
      return this.#post(body, this.#sessionHeaders(), id, true);
    }
    void this.#answer(res, id, controller, body);
  }

  /**
   * 2026-07-28: POST a request and deliver its answer. A response that breaks before the answer lost the
   * request (this revision has no resumption): it is re-issued under a new id (SEP-2575), bounded by
   * `reissue`, until the caller cancels (the engine's timeout cancels too). The answer to a re-issue is
   * delivered under the original id, so the engine never sees the wire ids.
   */
  async #sendModern(r: JsonRpcRequest, version: string): Promise<void> {
    const logical = new AbortController(); // every try and the waits between them
    this.#modernIds.add(r.id);
    this.#inflight.set(r.id, logical);
    const headers = this.#modernHeaders(r, version);
    // A listen stream is tagged with its request id and listened to again by the client's subscription.
    const max =
      r.method === 'subscriptions/listen' ? 0 : (this.#options.reissue?.maxReissues ?? DEFAULT_HTTP_MAX_REISSUES);
    const tryOnce = async (wire: JsonRpcRequest): Promise<{ res: Response; attempt: AbortController } | undefined> => {
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      logical.signal.addEventListener('abort', stop, { once: true });
      try {
        const res = await this.#fetch(this.#url, {
          method: 'POST',
          headers: { ...(await this.#extraHeaders()), 'content-type': 'application/json', accept: ACCEPT, ...headers },
          body: JSON.stringify(wire),
          signal: attempt.signal,
        });
        return { res, attempt };
      } catch (e) {
        logical.signal.removeEventListener('abort', stop);
        if (!logical.signal.aborted)
          this.onrequestfailed?.(r.id, new TsmcpError('TSMCP_HTTP', fetchFailed(this.#url, e), { cause: e }));
        return undefined;
      }
    };
    const done = () => {
      this.#modernIds.delete(r.id);
      if (this.#inflight.get(r.id) === logical) this.#inflight.delete(r.id);
    };
    let wire = r;
    let sent = await tryOnce(wire);
    void (async () => {
      for (let reissues = 0; sent; ) {
        const dropped = await this.#answer(sent.res, wire.id, sent.attempt, wire, r.id);
        if (!dropped || logical.signal.aborted || this.#closed) return;
        if (reissues >= max) {
          const why =
            max === 0
              ? 'The response stream ended before the response arrived'
              : `The response stream broke before the answer ${max + 1} times (the request and ${max} re-issues, maxReissues)`;
          this.onrequestfailed?.(r.id, new TsmcpError('TSMCP_HTTP', why));
          return;
        }
        const first = this.#options.reissue?.initialDelayMs ?? 250;
        await this.#sleep(
          Math.min(this.#options.reissue?.maxDelayMs ?? 5_000, first * 2 ** reissues) * (0.8 + Math.random() * 0.4),
          logical.signal,
        );
        if (logical.signal.aborted || this.#closed) return;
        reissues++;
        this.#reissued++;
        wire = { ...r, id: `tsmcp-reissue-${this.#reissued}` }; // a string: never one of the engine's numeric ids
        sent = await tryOnce(wire);
      }
    })().finally(done);
  }

  /** Re-issued requests so far, for fresh wire ids. */
  #reissued = 0;

  /**
   * Deliver one response. `as` (2026-07-28) is the engine's id of a request posted under `id`: then a
   * response that breaks before the answer is not reported but returns true, for the caller to re-issue.
   */
  async #answer(
    res: Response,
    id: RequestId | undefined,
    controller: AbortController,
    body: unknown,
    as?: RequestId,
  ): Promise<boolean> {
    const modern = as !== undefined;
    const rid = modern ? as : id;
    try {
      if (res.status === 202) {
        await res.body?.cancel();
        return false;
      }
      const type = res.headers.get('content-type') ?? '';
      if (res.ok && type.includes('text/event-stream')) {
        const done = await this.#readSse(res, id, controller.signal, as);
        if (!done && rid !== undefined && !controller.signal.aborted) {
          if (modern) return true;
          this.onrequestfailed?.(
            rid,
            new TsmcpError('TSMCP_HTTP', 'The response stream ended before the response arrived'),
          );
        }
        return false;
      }
      let text: string;
      try {
        text = await readCappedResponse(res, this.#max);
      } catch (e) {
        // The connection broke mid-body: on 2026-07-28 the request is re-issued.
        if (modern && res.ok && !(e instanceof TsmcpError) && !controller.signal.aborted) return true;
        throw e;
      }
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      const answered = this.#deliverAll(parsed, id, as);
      if (answered) {
        if (
          isObject(body) &&
          (body as { method?: string }).method === 'initialize' &&
          isObject(parsed) &&
          isObject(parsed.result)
        ) {
          this.#legacyVersion = String(parsed.result.protocolVersion);
        }
        return false;
      }
      if (rid !== undefined) {
        const detail = isObject(parsed) && isObject(parsed.error) ? `: ${String(parsed.error.message)}` : '';
        const notMcp = type.includes('application/json') ? '' : notMcpEndpoint(type, this.#url);
        this.onrequestfailed?.(rid, new TsmcpError('TSMCP_HTTP', `HTTP ${res.status}${detail}${notMcp}`));
      } else if (!res.ok) {
        this.onerror?.(new TsmcpError('TSMCP_HTTP', `HTTP ${res.status} for a notification or response`));
      }
    } catch (e) {
      const error =
        e instanceof TsmcpError
          ? e
          : new TsmcpError('TSMCP_HTTP', `Reading the response failed: ${(e as Error).message}`, { cause: e });
      if (!controller.signal.aborted) {
        if (rid !== undefined) this.onrequestfailed?.(rid, error);
        else this.onerror?.(error);
      }
      controller.abort(); // an oversize body: the connection goes, nothing more is read
    } finally {
      if (id !== undefined && !modern) this.#inflight.delete(id);
    }
    return false;
  }

  /** A response to `id` as the engine knows it: under `as` when the request went out under another id. */
  #emit(m: Record<string, unknown>, id: RequestId | undefined, as: RequestId | undefined): void {
    this.onmessage?.(as !== undefined && m.id === id && !('method' in m) ? { ...m, id: as } : m);
  }

  /** Deliver parsed JSON-RPC; true when it contained the answer to `id` (or anything, for id-less posts). */
  #deliverAll(parsed: unknown, id: RequestId | undefined, as?: RequestId): boolean {
    const list = Array.isArray(parsed) ? parsed : parsed === undefined ? [] : [parsed];
    let answered = false;
    for (let m of list) {
      if (!isObject(m) || m.jsonrpc !== '2.0') continue;
      const idless = !('id' in m) || m.id === null;
      // A 2026-07-28 error an intermediary sent without an id still answers this request (and tells its era).
      if (as !== undefined && idless && isObject(m.error) && MODERN_ERRORS.has(m.error.code as number))
        m = { ...m, id };
      else if (id !== undefined && idless && 'error' in m) continue; // an id-less error: reported as a failure of `id`
      if (id !== undefined && 'id' in m && m.id !== id && !('method' in m)) continue;
      if ('id' in m && m.id === id && !('method' in m)) answered = true;
      if (id === undefined) answered = true;
      this.#emit(m, id, as);
    }
    return answered;
  }

  /** Read an SSE response; resumes with Last-Event-ID when a legacy stream ends early. True when `id` was answered. */
  async #readSse(res: Response, id: RequestId | undefined, signal: AbortSignal, as?: RequestId): Promise<boolean> {
    let answered = false;
    const sse = this.#reader((msg) => {
      const list = Array.isArray(msg) ? msg : [msg];
      for (const m of list) {
        if (isObject(m) && 'id' in m && m.id === id && !('method' in m)) answered = true;
        if (
          isObject(m) &&
          isObject(m.result) &&
          typeof m.result.protocolVersion === 'string' &&
          this.#initialize &&
          m.id === this.#initialize.id
        )
          this.#legacyVersion = m.result.protocolVersion;
        if (isObject(m)) this.#emit(m, id, as);
        else this.onmessage?.(m);
      }
    });
    await sse.read(res.body!); // a dropped connection is resumable below for legacy sessions
    // SEP-1699: the server may close a legacy stream early and expects a GET with Last-Event-ID.
    let attempts = 0;
    while (
      !answered &&
      !sse.over &&
      !signal.aborted &&
      !this.#closed &&
      this.#session &&
      sse.lastEventId &&
      attempts < (this.#options.reconnect?.maxRetries ?? 5)
    ) {
      await this.#sleep(sse.retryMs ?? this.#backoff(attempts));
      attempts++;
      const r = await this.#fetch(this.#url, {
        method: 'GET',
        headers: {
          ...(await this.#extraHeaders()),
          accept: 'text/event-stream',
          ...this.#sessionHeaders(),
          'last-event-id': sse.lastEventId,
        },
        signal,
      }).catch(() => undefined);
      // 400/404: the server cannot resume this stream (events dropped, session gone): retrying cannot help.
      if (r && (r.status === 400 || r.status === 404)) break;
      if (!r?.ok || !r.body) continue;
      attempts = 0;
      await sse.read(r.body, () => answered);
    }
    if (sse.over) throw tooLarge(this.#max, 'An SSE event');
    return answered;
  }

  /** An SSE reader under `maxMessageBytes` that hands JSON messages to `onMessage` and reports bad ones. */
  #reader(
    onMessage: (value: unknown) => void,
    onEvent?: (e: { event?: string | undefined; data: string }) => boolean,
  ): SseReader {
    return new SseReader(this.#max, {
      onMessage,
      onEvent,
      onParseError: () => this.onframeerror?.({ code: -32700, message: 'Parse error in an SSE event' }),
    });
  }

  /** The legacy session's standalone GET stream, reconnected with Last-Event-ID and backoff. */
  async #getStream(): Promise<void> {
    this.#getStreamOpen = true;
    let failures = 0;
    const sse = this.#reader((m) => this.onmessage?.(m));
    while (!this.#closed && this.#session && failures < (this.#options.reconnect?.maxRetries ?? 5)) {
      const headers: Record<string, string> = {
        ...(await this.#extraHeaders()),
        accept: 'text/event-stream',
        ...this.#sessionHeaders(),
      };
      if (sse.lastEventId) headers['last-event-id'] = sse.lastEventId;
      const r = await this.#fetch(this.#url, { method: 'GET', headers, signal: this.#closer.signal }).catch(
        () => undefined,
      );
      if (r && r.status === 400 && sse.lastEventId) {
        await r.body?.cancel();
        sse.lastEventId = undefined; // the stream cannot be resumed: open a fresh one (what was missed is lost)
        continue;
      }
      if (r && (r.status === 405 || r.status === 404 || r.status === 409)) {
        await r.body?.cancel();
        break; // no GET stream on this server (or the session ended)
      }
      if (r?.ok && r.body) {
        failures = 0;
        await sse.read(r.body); // until it ends or drops; then reconnect
        if (sse.over) {
          // Resuming would replay the same event: report it and give the stream up.
          this.onerror?.(tooLarge(this.#max, 'An SSE event on the GET stream'));
          break;
        }
      } else {
        failures++;
      }
      if (this.#closed) break;
      await this.#sleep(sse.retryMs ?? this.#backoff(failures));
    }
    this.#getStreamOpen = false;
  }

  async #reinitialize(): Promise<void> {
    if (this.#reinitializing) return this.#reinitializing;
    this.#reinitializing = (async () => {
      const init = this.#initialize!;
      this.#session = undefined;
      const res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { ...(await this.#extraHeaders()), 'content-type': 'application/json', accept: ACCEPT },
        body: JSON.stringify({ ...init, id: `tsmcp-reinit-${Date.now()}` }),
      });
      const session = res.headers.get('mcp-session-id');
      await res.body?.cancel();
      if (!res.ok || !session)
        throw new TsmcpError('TSMCP_HTTP', `Re-initializing the session failed with HTTP ${res.status}`);
      this.#session = session;
      const note = await this.#fetch(this.#url, {
        method: 'POST',
        headers: {
          ...(await this.#extraHeaders()),
          'content-type': 'application/json',
          accept: ACCEPT,
          ...this.#sessionHeaders(),
        },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      await note.body?.cancel();
      if (this.#options.getStream !== false && !this.#getStreamOpen) void this.#getStream();
    })().finally(() => {
      this.#reinitializing = undefined;
    });
    return this.#reinitializing;
  }

  /** GET the URL as an HTTP+SSE (2024-11-05) stream; true once its `endpoint` event arrived. */
  async #openSse(): Promise<boolean> {
    const stream = new AbortController();
    this.#closer.signal.addEventListener('abort', () => stream.abort(), { once: true });
    const res = await this.#fetch(this.#url, {
      method: 'GET',
      headers: { ...(await this.#extraHeaders()), accept: 'text/event-stream' },
      signal: stream.signal,
    }).catch(() => undefined);
    if (!res?.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      await res?.body?.cancel();
      return false;
    }
    let found!: (endpoint: URL | undefined) => void;
    const endpoint = new Promise<URL | undefined>((r) => (found = r));
    const sse = this.#reader(
      (msg) => {
        if (isObject(msg) && !('method' in msg) && (typeof msg.id === 'string' || typeof msg.id === 'number'))
          this.#ssePending.delete(msg.id);
        this.onmessage?.(msg);
      },
      (e) => {
        if (e.event !== 'endpoint') return false;
        try {
          const u = new URL(e.data.trim(), this.#url);
          found(u.origin === this.#url.origin ? u : undefined); // never follow an endpoint to another origin
        } catch {
          found(undefined);
        }
        return true;
      },
    );
    void sse.read(res.body).then(() => {
      found(undefined);
      if (sse.over) {
        // The stream is the connection: everything waiting on it fails with the reason.
        const error = tooLarge(this.#max, 'An SSE event on the HTTP+SSE stream');
        for (const id of this.#ssePending) this.onrequestfailed?.(id, error);
        this.#ssePending.clear();
        this.onerror?.(error);
      }
      if (this.#sse && !this.#closed) void this.close(); // the stream is the connection
    });
    const url = await endpoint;
    if (!url) {
      stream.abort();
      return false;
    }
    this.#sse = { endpoint: url, stream };
    return true;
  }

  /** POST a message to the HTTP+SSE endpoint; the answer arrives on the stream. */
  async #postSse(body: unknown, id: RequestId | undefined): Promise<void> {
    if (id !== undefined) this.#ssePending.add(id);
    const res = await this.#fetch(this.#sse!.endpoint, {
      method: 'POST',
      headers: { ...(await this.#extraHeaders()), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch((e: Error) => e);
    if (res instanceof Error || !res.ok) {
      const why = res instanceof Error ? res.message : `HTTP ${res.status}`;
      if (!(res instanceof Error)) await res.body?.cancel();
      if (id !== undefined) this.#ssePending.delete(id);
      if (id !== undefined)
        this.onrequestfailed?.(id, new TsmcpError('TSMCP_HTTP', `POST to the HTTP+SSE endpoint failed: ${why}`));
      return;
    }
    await res.body?.cancel();
  }

  #backoff(attempt: number): number {
    const first = this.#options.reconnect?.initialDelayMs ?? 1000;
    const max = this.#options.reconnect?.maxDelayMs ?? 30_000;
    return Math.min(max, first * 2 ** attempt) * (0.8 + Math.random() * 0.4);
  }

  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.#closer.signal.removeEventListener('abort', wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.#closer.signal.addEventListener('abort', wake, { once: true });
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}

/** Why a fetch never got a response, naming the URL and the system error (`ECONNREFUSED`…) behind `fetch failed`. */
function fetchFailed(url: URL | string, e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const why = code ? `${code}${typeof cause?.message === 'string' ? ` (${cause.message})` : ''}` : (e as Error).message;
  const hint = code === 'ECONNREFUSED' ? ': is the server running, and listening on that address and port?' : '';
  return `POST ${url} failed: ${why}${hint}`;
}

/** A response that is neither JSON nor SSE did not come from an MCP endpoint: say what came, and from where. */
function notMcpEndpoint(type: string, url: URL | string): string {
  const got = type.split(';')[0]!.trim() || 'no content type';
  return `: expected application/json or text/event-stream, got ${got} from ${url}; is this the server's MCP endpoint URL?`;
}

/** Whether a response body is the JSON-RPC -32022 (unsupported protocol version) error. */
async function refusesVersion(res: Response, max: number): Promise<boolean> {
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) {
    await res.body?.cancel();
    return false;
  }
  try {
    const parsed: unknown = JSON.parse(await readCappedResponse(res, max));
    return isObject(parsed) && isObject(parsed.error) && parsed.error.code === ErrorCode.UnsupportedProtocolVersion;
  } catch {
    return false;
  }
}
