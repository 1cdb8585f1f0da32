// One server-side connection over a message transport (stdio, in-memory, WebSocket): a Peer plus the
// legacy session state, if the client opened one with initialize. Modern requests on it stay stateless.
import { type IncomingContext, Peer, type PeerOptions } from '../engine/peer.js';
import { type RequestIdentity, UNKNOWN_IDENTITY } from '../protocol/identity.js';
import { supports } from '../protocol/features.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import type { Transport } from '../protocol/transport.js';
import { legacyNotificationFor, type Channel, type LegacySession, type Server } from './server.js';

/**
 * Options of one connection; see PeerOptions. `maxConcurrentRequests` (default 256) bounds the client's
 * requests in flight on it, `subscriptions/listen` streams included: over it a request gets -32603 at once.
 */
export interface ConnectOptions extends PeerOptions {}

/** A live connection of a Server to one client. */
/** The channel of one request on a connection: a class, so its methods live on the prototype. */
class RequestChannel implements Channel {
  readonly identity: RequestIdentity;
  readonly legacy: LegacySession | undefined;
  readonly ending: AbortSignal;
  readonly request: NonNullable<Channel['request']>;
  readonly #open: (session: LegacySession) => void;
  readonly #ctx: IncomingContext;

  constructor(
    identity: RequestIdentity,
    legacy: LegacySession | undefined,
    open: (session: LegacySession) => void,
    request: NonNullable<Channel['request']>,
    ending: AbortSignal,
    ctx: IncomingContext,
  ) {
    this.identity = identity;
    this.legacy = legacy;
    this.#open = open;
    this.request = request;
    this.ending = ending;
    this.#ctx = ctx;
  }

  openLegacy(session: LegacySession): void {
    this.#open(session);
  }

  notify(method: string, params?: JsonObject): Promise<void> {
    return this.#ctx.notify(method, params);
  }
}

export class ServerConnection {
  readonly #peer: Peer;
  #legacy: LegacySession | undefined;
  readonly #unsubscribe: () => void;
  /** Aborted by close(): open listen streams answer with their result before the transport closes. */
  readonly #ending = new AbortController();
  readonly #listens = new Set<Promise<void>>();
  /** Fires once when the connection ends. */
  onclose?: () => void;

  constructor(server: Server, transport: Transport, options: ConnectOptions = {}) {
    const identity = transport.identity ?? UNKNOWN_IDENTITY;
    // Made once per connection and shared by every request's channel (no closures per request).
    const openLegacy = (s: LegacySession): void => {
      s.notify = async (method, params) => {
        if (this.#peer.closed) return false;
        await this.#peer.notify(method, params);
        return true;
      };
      this.#legacy = s;
    };
    // No timeout of its own: a person may take a while to answer; the call that asked is bounded
    // by its own cancellation (the client gives up, the signal fires, this request is cancelled).
    const ask = (method: string, params: JsonObject | undefined, signal: AbortSignal) =>
      this.#peer.request(method, params, { signal, timeoutMs: Infinity });
    this.#peer = new Peer(
      transport,
      {
        onrequest: (request, ctx) => {
          const channel = new RequestChannel(identity, this.#legacy, openLegacy, ask, this.#ending.signal, ctx);
          const answer = server.dispatch(request, channel, ctx.cancel); // lazy: no AbortSignal unless read
          if (request.method === 'subscriptions/listen') {
            const done = answer.then(
              () => undefined,
              () => undefined,
            );
            this.#listens.add(done);
            void done.then(() => this.#listens.delete(done));
          }
          return answer;
        },
        onnotification: (n) => {
          if (n.method === 'notifications/initialized' && this.#legacy) this.#legacy.initialized = true;
        },
        onunexpectederror: (e, request) => server.unexpected(e, request),
        acceptsBatch: () => this.#legacy !== undefined && supports(this.#legacy.version, 'batching'),
      },
      options,
    );
    this.#unsubscribe = server.events.subscribe((event) => {
      if (!this.#legacy) return;
      const n = legacyNotificationFor(event, this.#legacy, server.capabilities);
      if (n) void this.#peer.notify(n.method, n.params as JsonObject | undefined);
    });
    this.#peer.onclose = () => {
      this.#unsubscribe();
      if (this.#legacy) server.endLegacySession(this.#legacy);
      this.onclose?.();
    };
  }

  /** The legacy session, once the client sent initialize. */
  get legacySession(): LegacySession | undefined {
    return this.#legacy;
  }

  /** The client's requests (other than ping) being handled now: at most `maxConcurrentRequests`. */
  get requestsInFlight(): number {
    return this.#peer.incomingInFlight;
  }

  start(): Promise<void> {
    return this.#peer.start();
  }

  /** Close the connection; a server shutting down first answers its open listen streams (spec: graceful end). */
  async close(): Promise<void> {
    this.#ending.abort();
    const open = [...this.#listens];
    if (open.length > 0) {
      // They settle within a few ticks of the abort; a listen still stuck sending its acknowledgement to a
      // client that does not read is not waited for (peer.close() cancels it), so close() cannot hang.
      const tick = () => new Promise((r) => setTimeout(r, 0));
      await Promise.race([Promise.all(open), tick()]);
      await tick(); // the engine sends the answers once their promises settle
    }
    return this.#peer.close();
  }
}

/** Connect `server` to `transport` and start serving. */
export async function connectServer(
  server: Server,
  transport: Transport,
  options?: ConnectOptions,
): Promise<ServerConnection> {
  const conn = new ServerConnection(server, transport, options);
  await conn.start();
  return conn;
}
