// Change events for a fleet: every ServerEvent goes out as one PUBLISH on one channel under the connection's
// prefix, and every instance (the one that raised it included) delivers only what comes back from Redis, so
// each stream sees each event exactly once and all instances see the same order (Redis's order of the channel).
// The same script also appends the event to a capped log (a Redis stream), and the message carries its id:
// a legacy GET stream whose holder died catches up from the log when its client resumes on another instance,
// and an instance whose subscriber was disconnected catches up when it is back.
import { TsmcpError } from '../../protocol/errors.js';
import { isObject } from '../../protocol/jsonrpc.js';
import { LIST_CHANGED } from '../../protocol/list-changed.js';
import { comparePositions, type EventPosition, type ServerEvent, type ServerEventBus } from '../../server/events.js';
import type { RedisClient, RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';

/** Default bound of one event's JSON (bytes): Redis would take far more, a subscriber's output buffer would not. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

// KEYS: log, floor (id of the newest entry trimmed away), channel. ARGV: event JSON, log length, '1' to keep
// the event in the log ('0': too big, a marker stands in for it). Appends, trims exactly, publishes
// `<id> <json>`; one round trip.
const PUBLISH_LOGGED = new LuaScript(`
local max = tonumber(ARGV[2])
local n = redis.call('XLEN', KEYS[1])
if n >= max then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', n - max + 1)
  redis.call('SET', KEYS[2], gone[#gone][1])
end
local id
if ARGV[3] == '1' then id = redis.call('XADD', KEYS[1], 'MAXLEN', max, '*', 'e', ARGV[1])
else id = redis.call('XADD', KEYS[1], 'MAXLEN', max, '*', 'x', '') end
redis.call('PUBLISH', KEYS[3], id .. ' ' .. ARGV[1])
return id`);

// KEYS: log, floor. ARGV: position, most entries. The entries after the position (id, JSON pairs), or false
// when the log no longer reaches back there: trimmed past it, or a marker (an event too big to keep) after it.
const SINCE = new LuaScript(`
local floor = redis.call('GET', KEYS[2])
if floor then
  local fm, fs = string.match(floor, '^(%d+)-(%d+)$')
  local pm, ps = string.match(ARGV[1], '^(%d+)-(%d+)$')
  fm, fs, pm, ps = tonumber(fm), tonumber(fs), tonumber(pm), tonumber(ps)
  if fm > pm or (fm == pm and fs > ps) then return false end
end
local out = {}
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])) do
  if e[2][1] ~= 'e' then return false end
  out[#out + 1] = e[1]
  out[#out + 1] = e[2][2]
end
return out`);

const POSITION = /^\d{1,20}-\d{1,20}$/;

/** The log of the last events (see `RedisEventBusOptions.log`). */
export interface RedisEventLogOptions {
  /** Events kept (exact trim). Default 1000: a stream whose holder died catches up on at most that many. */
  maxLength?: number;
  /** Largest event kept, bytes of JSON. Default 64 KiB; a bigger one leaves a marker, and catching up across it falls back to "every list changed". */
  maxEventBytes?: number;
}

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
   * so clients re-list what changed while events were lost. Default true. Events raised while only this
   * instance's subscriber was away are delivered from the log (`log`); `resources/updated` and extension
   * events raised while Redis itself was down were never sent: they are lost.
   */
  resyncLists?: boolean;
  /**
   * Keep the last events in a capped Redis stream (key `<channel>:log`) beside the channel. Default on
   * (1000 events of at most 64 KiB each): a legacy GET stream whose holder died catches up on what was raised
   * before its client resumed elsewhere, and after a subscriber reconnect this instance catches up exactly
   * (falling back to `resyncLists` only when the log no longer reaches back). `false`: a plain PUBLISH.
   * Every instance of a fleet should agree (an instance without the log sends events no one can catch up on).
   */
  log?: false | RedisEventLogOptions;
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
  /** Reconnections of the subscriber after which the lists were announced as changed (`resyncLists`; also after catching up from the log, since events raised while Redis was down were never logged). */
  resyncs: number;
  /** Messages on the channel that were not a readable event, or over `maxEventBytes`. */
  invalid: number;
  /** Events this instance missed while its subscriber was disconnected and then delivered from the log. */
  caughtUp: number;
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
  readonly #listeners = new Set<(event: ServerEvent, position?: EventPosition) => void>();
  readonly #log: { key: string; floor: string; max: number; maxBytes: number } | undefined;
  #position: EventPosition | undefined;
  /** While catching up after a reconnect: what arrived live meanwhile, delivered after the log (bounded). */
  #pending: { event: ServerEvent; position: EventPosition | undefined }[] | undefined;
  readonly #stats: RedisEventBusStats = {
    published: 0,
    dropped: 0,
    refused: 0,
    received: 0,
    invalid: 0,
    resyncs: 0,
    caughtUp: 0,
  };
  readonly #onmessage = (message: string) => this.#deliver(message);
  readonly #resync: boolean;
  /** node-redis emits `ready` once it has subscribed again after a reconnect. */
  readonly #onready = () => {
    if (!this.#closed) void this.#catchUp();
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
    const log = options.log ?? {};
    this.#log = log
      ? {
          key: `${this.#channel}:log`,
          floor: `${this.#channel}:log-floor`,
          max: log.maxLength ?? 1000,
          maxBytes: log.maxEventBytes ?? 64 * 1024,
        }
      : undefined;
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
    if (!this.#log) return;
    // Where this instance starts in the log: streams opened from now on have seen everything up to here.
    const key = this.#log.key;
    const last = (await this.#conn.run((c) => c.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1']))) as
      | [string, string[]][]
      | null;
    this.#advance(last?.[0]?.[0] ?? '0-0');
  }

  /**
   * Where this instance is in the fleet's event log: every event up to it was delivered here (undefined
   * before `ready`, or with `log: false`).
   */
  get position(): EventPosition | undefined {
    return this.#position;
  }

  /**
   * The logged events after `position`, in order (one round trip, at most the log's length). Undefined when
   * the log no longer reaches back there (trimmed past it, or an event too big to keep after it), or when
   * the log is off.
   */
  async since(position: EventPosition): Promise<{ event: ServerEvent; position: EventPosition }[] | undefined> {
    const log = this.#log;
    if (!log || !POSITION.test(position)) return undefined;
    const flat = await this.#conn.run((c) => SINCE.run<string[] | null>(c, [log.key, log.floor], [position, log.max]));
    if (!flat) return undefined;
    const out: { event: ServerEvent; position: EventPosition }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const event = decode(flat[i + 1]!);
      if (event) out.push({ event, position: flat[i]! });
      else this.#stats.invalid++;
    }
    return out;
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
    const log = this.#log;
    const sent = log
      ? this.#conn.run((c) =>
          PUBLISH_LOGGED.run(
            c,
            [log.key, log.floor, this.#channel],
            [message, log.max, bytes <= log.maxBytes ? '1' : '0'],
          ),
        )
      : this.#conn.run((c) => c.publish(this.#channel, message));
    return sent.then(
      () => void this.#stats.published++,
      (e: unknown) => {
        this.#stats.dropped++;
        this.#onerror(e, event);
      },
    );
  }

  /** Returns the unsubscribe function. Listeners run on this instance for every event of the fleet. */
  subscribe(listener: (event: ServerEvent, position?: EventPosition) => void): () => void {
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
    // `<id> <json>` from a logging instance, plain JSON from one with `log: false`.
    const space = message.charCodeAt(0) === 0x7b ? -1 : message.indexOf(' ');
    const position = space > 0 ? message.slice(0, space) : undefined;
    const json = space > 0 ? message.slice(space + 1) : message;
    const event =
      Buffer.byteLength(json) <= this.#max && (position === undefined || POSITION.test(position))
        ? decode(json)
        : undefined;
    if (!event) {
      this.#stats.invalid++;
      this.#onerror(new Error(`Unreadable event on ${this.#channel} (${message.length} characters); dropped`));
      return;
    }
    this.#stats.received++;
    if (this.#pending) {
      if (this.#pending.length < MAX_PENDING) this.#pending.push({ event, position });
      return;
    }
    if (position !== undefined) {
      if (this.#position !== undefined && comparePositions(position, this.#position) <= 0) return; // seen
      this.#advance(position);
    }
    this.#dispatch(event, position);
  }

  /**
   * After a reconnect: what was raised while this instance's subscriber was away, from the log; then every list
   * announced as changed (events raised while Redis itself was down were never logged); then what came live
   * meanwhile.
   */
  async #catchUp(): Promise<void> {
    const from = this.#position;
    const pending: { event: ServerEvent; position: EventPosition | undefined }[] = [];
    let missed: { event: ServerEvent; position: EventPosition }[] | undefined;
    if (this.#log && from !== undefined) {
      this.#pending = pending;
      try {
        missed = await this.since(from);
      } catch (e) {
        this.#onerror(e);
      }
      this.#pending = undefined;
    }
    if (this.#closed) return;
    for (const m of missed ?? []) {
      if (this.#position !== undefined && comparePositions(m.position, this.#position) <= 0) continue;
      this.#advance(m.position);
      this.#stats.caughtUp++;
      this.#dispatch(m.event, m.position);
    }
    this.#resyncLists();
    for (const p of pending) {
      if (p.position !== undefined) {
        if (this.#position !== undefined && comparePositions(p.position, this.#position) <= 0) continue;
        this.#advance(p.position);
      }
      this.#dispatch(p.event, p.position);
    }
  }

  #resyncLists(): void {
    if (!this.#resync) return;
    this.#stats.resyncs++;
    for (const type of LIST_CHANGED_TYPES) this.#dispatch({ type } as ServerEvent);
  }

  #advance(position: EventPosition): void {
    if (this.#position === undefined || comparePositions(position, this.#position) > 0) this.#position = position;
  }

  #dispatch(event: ServerEvent, position?: EventPosition): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event, position);
      } catch {
        // One broken listener must not starve the others (as the in-memory bus).
      }
    }
  }
}

/** Most live events held back while catching up after a reconnect; beyond, the rest are lost (the lists are resynced anyway). */
const MAX_PENDING = 10_000;

function eventName(e: ServerEvent): string {
  return e.type === 'extension' ? e.method : e.type;
}

const LIST_CHANGED_TYPES: ReadonlySet<string> = new Set(Object.values(LIST_CHANGED).map((l) => l.event));

/** The event a message carries, rebuilt field by field (another instance, or anyone who can PUBLISH, wrote it). */
function decode(message: string): ServerEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(v) || typeof v.type !== 'string') return undefined;
  if (LIST_CHANGED_TYPES.has(v.type)) return { type: v.type } as ServerEvent;
  if (v.type === 'resources/updated') return typeof v.uri === 'string' ? { type: v.type, uri: v.uri } : undefined;
  if (v.type !== 'extension') return undefined;
  const { method, params, key, value } = v;
  if (typeof method !== 'string' || !isObject(params) || typeof key !== 'string' || typeof value !== 'string')
    return undefined;
  return { type: 'extension', method, params, key, value };
}
