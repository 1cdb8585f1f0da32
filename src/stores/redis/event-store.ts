// Legacy SSE events in Redis Streams, so a client resumes with Last-Event-ID on any instance. Ids are
// minted here (one instance writes a stream) and the event is persisted in the background; replay reads
// Redis. Keys are per session ({sid} hash tag): another session's event id names no key of this one.
import type { EventStore, Replayed, StoredEvent } from '../../transports/http/event-store.js';
import type { RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';

export interface RedisEventStoreOptions {
  /** Most events kept per stream (XADD MAXLEN). Default 100; beyond, the oldest go and resuming from before them is refused. */
  maxEventsPerStream?: number;
  /** Largest event kept, in bytes of its JSON. Default 1 MiB; a bigger one goes out but is not kept: resuming from before it is refused. */
  maxEventBytes?: number;
  /** Most streams kept per session. Default 1000; beyond, a new stream's events go out but are not kept (not resumable). */
  maxStreamsPerSession?: number;
  /** A stream's events expire this long after its last event, ms (the longest resumption window). Default 30 minutes. */
  ttlMs?: number;
  /** Background writes that failed (Redis unreachable): those events cannot be resumed. Default: ignored. */
  onerror?: (error: unknown) => void;
}

// KEYS: stream, session index, stream's writer. ARGV: seq, field, value, maxlen, ttl ms, max streams per
// session, this instance's prefix, change-log position ('' for none). A GET stream adopted by another
// instance refuses this one's events.
const APPEND = new LuaScript(`
local w = redis.call('GET', KEYS[3])
if w and w ~= ARGV[7] then return 0 end
if w then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
if redis.call('SISMEMBER', KEYS[2], KEYS[1]) == 0 then
  if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 0 end
  redis.call('SADD', KEYS[2], KEYS[1])
end
-- An id at or below the last (a write that arrived late) is not kept: replay then sees the hole and refuses.
local added
if ARGV[8] == '' then added = redis.pcall('XADD', KEYS[1], 'MAXLEN', ARGV[4], '0-' .. ARGV[1], ARGV[2], ARGV[3])
else added = redis.pcall('XADD', KEYS[1], 'MAXLEN', ARGV[4], '0-' .. ARGV[1], ARGV[2], ARGV[3], 'p', ARGV[8]) end
if type(added) == 'table' then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1`);

// KEYS: stream. ARGV: seq the client saw last. The change-log position kept with the stream's last event
// ('' when none) then the events after it, or false when it cannot resume from there: unknown stream, an id
// not yet written, trimmed events, or an event too big to keep after it.
const REPLAY = new LuaScript(`
local seq = tonumber(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if not last then return false end
if seq > tonumber(string.match(last[1], '%d+$')) then return false end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if tonumber(string.match(first[1], '%d+$')) > seq + 1 then return false end
local out = {''}
if last[2][3] == 'p' then out[1] = last[2][4] end
local want = seq + 1
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '(0-' .. seq, '+')) do
  local n = tonumber(string.match(e[1], '%d+$'))
  if e[2][1] ~= 'd' or n ~= want then return false end
  want = n + 1
  out[#out + 1] = tostring(n)
  out[#out + 1] = e[2][2]
end
return out`);

// KEYS: session index. Deletes every stream it names (and its writer), then itself.
const DROP_SESSION = new LuaScript(`
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', k, k .. ':w') end
redis.call('DEL', KEYS[1])
return 1`);

/**
 * An `EventStore` on Redis Streams for a fleet of instances (`eventStore` option of the HTTP server).
 * Each instance gives its streams ids of its own (`streamPrefix`); appends cost no round trip on the
 * request path (one background EVALSHA per event), a replay one.
 */
export class RedisEventStore implements EventStore {
  readonly streamPrefix: string;
  readonly #conn: RedisConnection;
  readonly #maxEvents: number;
  readonly #maxEventBytes: number;
  readonly #maxStreams: number;
  readonly #ttl: number;
  readonly #onerror: (error: unknown) => void;
  /** Last sequence number per session and stream this instance writes, dropped with the stream. */
  readonly #seq = new Map<string, Map<string, number>>();
  #streams = 0;
  #last: Promise<unknown> = Promise.resolve();

  constructor(conn: RedisConnection, options: RedisEventStoreOptions = {}) {
    this.#conn = conn;
    this.#maxEvents = options.maxEventsPerStream ?? 100;
    this.#maxEventBytes = options.maxEventBytes ?? 1024 * 1024;
    this.#maxStreams = options.maxStreamsPerSession ?? 1000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
    this.#onerror = options.onerror ?? (() => {});
    const tag = crypto.getRandomValues(new Uint8Array(6));
    this.streamPrefix = `${Buffer.from(tag).toString('base64url')}-`;
  }

  /** Streams this instance writes now (local counters; the events live in Redis). */
  get localStreams(): number {
    return this.#streams;
  }

  /** Resolves once every event appended so far has reached Redis (or failed). */
  flush(): Promise<void> {
    return this.#last.then(() => {});
  }

  append(sessionId: string, streamId: string, data: string, position?: string): string | undefined {
    let streams = this.#seq.get(sessionId);
    if (!streams) this.#seq.set(sessionId, (streams = new Map()));
    const seq = (streams.get(streamId) ?? 0) + 1;
    if (seq === 1) this.#streams++;
    streams.set(streamId, seq);
    const kept = Buffer.byteLength(data) <= this.#maxEventBytes;
    const stream = this.#stream(sessionId, streamId);
    const keys = [stream, this.#index(sessionId), `${stream}:w`];
    const args = [
      seq,
      kept ? 'd' : 'x',
      kept ? data : '',
      this.#maxEvents,
      this.#ttl,
      this.#maxStreams,
      this.streamPrefix,
      position ?? '',
    ];
    this.#last = this.#conn.run((c) => APPEND.run(c, keys, args)).catch(this.#onerror);
    return `${streamId}.${seq}`;
  }

  async replay(sessionId: string, lastEventId: string): Promise<Replayed | undefined> {
    const dot = lastEventId.lastIndexOf('.');
    const seq = Number(lastEventId.slice(dot + 1));
    if (dot <= 0 || !Number.isSafeInteger(seq) || seq < 0) return undefined;
    const streamId = lastEventId.slice(0, dot);
    const out = await this.#conn.run((c) => REPLAY.run<string[] | null>(c, [this.#stream(sessionId, streamId)], [seq]));
    if (!out) return undefined;
    const events: StoredEvent[] = [];
    for (let i = 1; i + 1 < out.length; i += 2) events.push({ id: `${streamId}.${out[i]}`, data: out[i + 1]! });
    return out[0] ? { streamId, events, position: out[0] } : { streamId, events };
  }

  dropStream(sessionId: string, streamId: string): void {
    const streams = this.#seq.get(sessionId);
    if (streams?.delete(streamId)) this.#streams--;
    if (streams?.size === 0) this.#seq.delete(sessionId);
    const key = this.#stream(sessionId, streamId);
    this.#last = this.#conn
      .run((c) =>
        c
          .multi()
          .del([key, `${key}:w`])
          .sRem(this.#index(sessionId), key)
          .exec(),
      )
      .catch(this.#onerror);
  }

  dropSession(sessionId: string): void {
    this.release(sessionId);
    this.#last = this.#conn.run((c) => DROP_SESSION.run(c, [this.#index(sessionId)], [])).catch(this.#onerror);
  }

  /**
   * A GET stream resumed here: this instance writes it from now on, after `lastSeq` (one background SET of
   * its writer key, expiring with the stream; the previous writer's later appends are then not kept).
   */
  adopt(sessionId: string, streamId: string, lastSeq: number): void {
    let streams = this.#seq.get(sessionId);
    if (!streams) this.#seq.set(sessionId, (streams = new Map()));
    if (!streams.has(streamId)) this.#streams++;
    streams.set(streamId, lastSeq);
    const key = `${this.#stream(sessionId, streamId)}:w`;
    this.#last = this.#conn
      .run((c) => c.set(key, this.streamPrefix, { expiration: { type: 'PX', value: this.#ttl } }))
      .catch(this.#onerror);
  }

  /** This instance no longer holds the session (its local copy went): forget the counters, keep the events. */
  release(sessionId: string): void {
    this.#streams -= this.#seq.get(sessionId)?.size ?? 0;
    this.#seq.delete(sessionId);
  }

  #stream(sessionId: string, streamId: string): string {
    return this.#conn.key('ev', `{${sessionId}}`, streamId);
  }
  #index(sessionId: string): string {
    return this.#conn.key('evs', `{${sessionId}}`);
  }
}
