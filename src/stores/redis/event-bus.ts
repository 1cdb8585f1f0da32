// Change events for a fleet: every ServerEvent goes out as one PUBLISH on one channel under the connection's
// prefix, and every instance (the one that raised it included) delivers only what comes back from Redis, so
// each stream sees each event exactly once and all instances see the same order (Redis's order of the channel).
import { TsmcpError } from '../../protocol/errors.js';
import { isObject } from '../../protocol/jsonrpc.js';
import type { ServerEvent, ServerEventBus } from '../../server/events.js';
import type { RedisClient, RedisConnection } from './connection.js';

/** Default bound of one event's JSON (bytes): Redis would take far more, a subscriber's output buffer would not. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

export interface RedisEventBusOptions {
  /** Channel name under the connection's prefix. Default `events`: every instance of one fleet must agree. */
  channel?: string;
  /**
   * Largest event, in bytes of its JSON. Default 256 KiB (DEFAULT_MAX_EVENT_BYTES). `publish` of a larger one
   * rejects with TsmcpError `TSMCP_MESSAGE_TOO_LARGE` before anything is sent; a larger one arriving (from an
   * instance configured otherwise) is dropped and counted in `stats.invalid`.
   */
  maxEventBytes?: number;
  /**
   * Sees what the bus could not do: an event not published (Redis unreachable: it is dropped, `publish` still
   * resolves), an oversize event, an unreadable message, a failed subscription. Default: ignored (see `stats`).
   */
  onerror?: (error: unknown, event?: ServerEvent) => void;
  /**
   * After the subscriber reconnects (Redis restarted or was unreachable), tell this instance's streams that
   * every list may have changed (tools, prompts, resources `list_changed`, to the streams that asked for them),
   * so clients re-list what changed while events were lost. Default true. `resources/updated` and extension
   * events raised during an outage cannot be replayed: they are lost.
   */
  resyncLists?: boolean;
}

/** Counters for monitoring and tests. */
export interface RedisEventBusStats {
  /** Events sent (one PUBLISH each). */
  published: number;
  /** Events not sent because Redis was unreachable or refused the command: lost. */
  dropped: number;
  /** Events refused at `publish` for their size. */
  refused: number;
  /** Events received from the channel and handed to this instance's listeners. */
  received: number;
  /** Reconnections of the subscriber after which the lists were announced as changed (`resyncLists`). */
  resyncs: number;
  /** Messages on the channel that were not a readable event, or over `maxEventBytes`. */
  invalid: number;
}

/**
 * A `ServerEventBus` over Redis pub/sub, for `Server`/`McpServer`'s `events` option on every instance.
 * `publish` costs one PUBLISH; delivery happens when the message comes back on the subscriber connection.
 * While Redis is unreachable, events raised anywhere are lost (`publish` resolves, `stats.dropped`, `onerror`),
 * open streams stay open, and the subscription comes back by itself when Redis does; then every list is announced
 * as changed on this instance (`resyncLists`) so clients re-list.
 * @example
 * const conn = await RedisConnection.connect({ url: process.env.REDIS_URL });
 * const server = new McpServer(info, { events: new RedisEventBus(conn) });
 */
export class RedisEventBus implements ServerEventBus {
  readonly #conn: RedisConnection;
  readonly #channel: string;
  readonly #max: number;
  readonly #onerror: (error: unknown, event?: ServerEvent) => void;
  readonly #listeners = new Set<(event: ServerEvent) => void>();
  readonly #stats: RedisEventBusStats = {
    published: 0,
    dropped: 0,
    refused: 0,
    received: 0,
    invalid: 0,
    resyncs: 0,
  };
  readonly #onmessage = (message: string) => this.#deliver(message);
  readonly #resync: boolean;
  /** node-redis emits `ready` once it has subscribed again after a reconnect. */
  readonly #onready = () => {
    if (this.#closed || !this.#resync) return;
    this.#stats.resyncs++;
    for (const type of LIST_CHANGED) this.#dispatch({ type } as ServerEvent);
  };
  #subscriber: RedisClient | undefined;
  #closed = false;
  /** Resolves once this instance is subscribed (events published before that are not seen here). */
  readonly ready: Promise<void>;

  constructor(conn: RedisConnection, options: RedisEventBusOptions = {}) {
    this.#conn = conn;
    this.#channel = conn.key(options.channel ?? 'events');
    this.#max = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#onerror = options.onerror ?? (() => {});
    this.#resync = options.resyncLists ?? true;
    this.ready = this.#start();
    this.ready.catch((e: unknown) => this.#onerror(e)); // reported; `ready` itself still rejects for who awaits it
  }

  async #start(): Promise<void> {
    const sub = await this.#conn.subscriber();
    if (this.#closed) return;
    this.#subscriber = sub;
    // node-redis subscribes again by itself after every reconnect.
    await sub.subscribe(this.#channel, this.#onmessage);
    sub.on('ready', this.#onready);
  }

  /** Counters (a copy). */
  get stats(): RedisEventBusStats {
    return { ...this.#stats };
  }

  /** Whether the subscriber connection is up now (events from the fleet arrive). */
  get subscribed(): boolean {
    return !this.#closed && !!this.#subscriber?.isReady;
  }

  /**
   * Sends `event` to every instance (this one included) with one PUBLISH. Rejects only for an event over
   * `maxEventBytes`; when Redis is unreachable the event is dropped and reported (`onerror`, `stats.dropped`)
   * and the promise resolves: a change notification is a hint, and the code that raised it has done its work.
   */
  publish(event: ServerEvent): Promise<void> {
    const message = JSON.stringify(event);
    const bytes = Buffer.byteLength(message);
    if (bytes > this.#max) {
      this.#stats.refused++;
      const error = new TsmcpError(
        'TSMCP_MESSAGE_TOO_LARGE',
        `Event ${eventName(event)} is ${bytes} bytes of JSON, over the bus limit of ${this.#max} (maxEventBytes); not sent`,
      );
      this.#onerror(error, event);
      return Promise.reject(error);
    }
    return this.#conn
      .run((c) => c.publish(this.#channel, message))
      .then(
        () => void this.#stats.published++,
        (e: unknown) => {
          this.#stats.dropped++;
          this.#onerror(e, event);
        },
      );
  }

  /** Returns the unsubscribe function. Listeners run on this instance for every event of the fleet. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening to the channel (the connection stays: it is the caller's). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.ready.catch(() => undefined);
    const sub = this.#subscriber;
    sub?.off('ready', this.#onready);
    if (sub?.isReady) await sub.unsubscribe(this.#channel, this.#onmessage).catch(() => undefined);
  }

  #deliver(message: string): void {
    const event = Buffer.byteLength(message) <= this.#max ? decode(message) : undefined;
    if (!event) {
      this.#stats.invalid++;
      this.#onerror(new Error(`Unreadable event on ${this.#channel} (${message.length} characters); dropped`));
      return;
    }
    this.#stats.received++;
    this.#dispatch(event);
  }

  #dispatch(event: ServerEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch {
        // One broken listener must not starve the others (as the in-memory bus).
      }
    }
  }
}

function eventName(e: ServerEvent): string {
  return e.type === 'extension' ? e.method : e.type;
}

const LIST_CHANGED = new Set(['tools/list_changed', 'prompts/list_changed', 'resources/list_changed']);

/** The event a message carries, rebuilt field by field (another instance, or anyone who can PUBLISH, wrote it). */
function decode(message: string): ServerEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(v) || typeof v.type !== 'string') return undefined;
  if (LIST_CHANGED.has(v.type)) return { type: v.type } as ServerEvent;
  if (v.type === 'resources/updated') return typeof v.uri === 'string' ? { type: v.type, uri: v.uri } : undefined;
  if (v.type !== 'extension') return undefined;
  const { method, params, key, value } = v;
  if (typeof method !== 'string' || !isObject(params) || typeof key !== 'string' || typeof value !== 'string')
    return undefined;
  return { type: 'extension', method, params, key, value };
}
