// Legacy HTTP sessions in Redis (the HTTP server's `sessionStore` option): any instance serves any live
// session, DELETE and idle expiry end it everywhere, and a client's answer to a server→client request
// reaches the instance that asked. Each operation is one Lua script (one round trip).
import { ErrorCode, McpError } from '../../protocol/errors.js';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import type { LoggingLevel } from '../../protocol/types.js';
import type { LegacyVersion } from '../../protocol/versions.js';
import type {
  SessionChange,
  SessionSnapshot,
  SessionState,
  SessionStore,
} from '../../transports/http/session-store.js';
import type { RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';

export interface RedisSessionStoreOptions {
  /** A session ends this long after its last request (or renewal while an instance holds it in use), ms. Default 30 minutes. */
  sessionIdleMs?: number;
  /** Most live sessions across the fleet. Default 100 000; beyond, `initialize` gets 503 with Retry-After (no session is evicted). */
  maxSessions?: number;
  /** Most live sessions one client address (IPv6: /64) holds across the fleet. Default 1000; beyond, `initialize` gets 503. */
  maxSessionsPerClient?: number;
  /** Most ms a server→client request (elicitation, sampling, roots) waits for its answer. Default 10 minutes; then it fails with a timeout error. */
  serverRequestTimeoutMs?: number;
  /**
   * Largest client capabilities plus client info of one session, in bytes of JSON. Default 64 KiB; over
   * it `initialize` is answered with -32602 and no session is opened.
   */
  maxStateBytes?: number;
  /** Errors of the background subscription (the subscriber reconnects by itself). Default: ignored. */
  onerror?: (error: unknown) => void;
}

// KEYS: hash, subscriptions, all sessions (zset), client's sessions (zset, or the hash again when unknown).
// ARGV: now, ttl, max sessions, max per client, id, then the hash's fields as name/value pairs.
const CREATE = new LuaScript(`
local now, ttl, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[5]
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 'TSMCP_SESSIONS_FULL' end
if KEYS[4] ~= KEYS[1] then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[4]) then return 'TSMCP_SESSIONS_PER_CLIENT' end
  redis.call('ZADD', KEYS[4], now + ttl, id)
  redis.call('PEXPIRE', KEYS[4], ttl)
end
redis.call('ZADD', KEYS[3], now + ttl, id)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ttl)
return 'OK'`);

// KEYS: hash, subscriptions, all sessions. ARGV: now, ttl, principal, the caller's revision, change kind,
// change value, id, client zset key prefix, change channel. False when the session is gone or another
// principal's. A change is published (the id) so instances holding the session's GET stream refresh it.
const TOUCH = new LuaScript(`
local h = redis.call('HMGET', KEYS[1], 'p', 'c')
if not h[1] or h[1] ~= ARGV[3] then return false end
local kind = ARGV[5]
if kind ~= '' then
  if kind == 'logLevel' then redis.call('HSET', KEYS[1], 'll', ARGV[6])
  elseif kind == 'initialized' then redis.call('HSET', KEYS[1], 'in', '1')
  elseif kind == 'subscribe' then redis.call('SADD', KEYS[2], ARGV[6])
  elseif kind == 'unsubscribe' then redis.call('SREM', KEYS[2], ARGV[6]) end
  redis.call('HINCRBY', KEYS[1], 'rev', 1)
  redis.call('PUBLISH', ARGV[9], ARGV[7])
end
local ttl = tonumber(ARGV[2])
local exp = tonumber(ARGV[1]) + ttl
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[3], 'XX', exp, ARGV[7])
redis.call('PEXPIRE', KEYS[3], ttl)
if h[2] and h[2] ~= '' then
  redis.call('ZADD', ARGV[8] .. h[2], 'XX', exp, ARGV[7])
  redis.call('PEXPIRE', ARGV[8] .. h[2], ttl)
end
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev == ARGV[4] then return {rev} end
local f = redis.call('HMGET', KEYS[1], 'v', 'cc', 'ci', 'll', 'in', 'c')
return {rev, f[1] or '', f[2] or '', f[3] or '', f[4] or '', f[5] or '', f[6] or '', redis.call('SMEMBERS', KEYS[2])}`);

// KEYS: hash, subscriptions, all sessions. ARGV: id, client zset key prefix, end channel.
const DELETE = new LuaScript(`
local c = redis.call('HGET', KEYS[1], 'c')
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if c and c ~= '' then redis.call('ZREM', ARGV[2] .. c, ARGV[1]) end
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1`);

// KEYS: all sessions (zset), then the hash and subscriptions of each session. ARGV: now, ttl, client zset
// key prefix, then the ids. Renews the sessions that still exist (an ended one stays ended).
const RENEW = new LuaScript(`
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 4, #ARGV do
  local h = KEYS[2 * (i - 3)]
  if redis.call('PEXPIRE', h, ttl) == 1 then
    redis.call('PEXPIRE', KEYS[2 * (i - 3) + 1], ttl)
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
    redis.call('PEXPIRE', KEYS[1], ttl)
    local c = redis.call('HGET', h, 'c')
    if c and c ~= '' then redis.call('ZADD', ARGV[3] .. c, 'XX', now + ttl, ARGV[i]) end
  end
end
return 1`);

/**
 * Legacy sessions of a fleet in Redis. Round trips: one per legacy request (renew + check + changes
 * since this instance's copy, `touch`), one more after `logging/setLevel` or `resources/(un)subscribe`,
 * one for `initialize` (`create`) and for DELETE; a routed answer is one PUBLISH. A state change is also
 * published (inside the same script), and the instance holding the session's GET stream re-reads it (one).
 * Create it with `await RedisSessionStore.connect(conn)` (subscribes to its channels).
 */
export class RedisSessionStore implements SessionStore {
  readonly instance: string;
  readonly serverRequestTimeoutMs: number;
  readonly idleMs: number;
  readonly #conn: RedisConnection;
  readonly #ttl: number;
  readonly #max: number;
  readonly #maxPerClient: number;
  readonly #maxStateBytes: number;
  readonly #handlers: Parameters<SessionStore['listen']>[0][] = [];

  private constructor(conn: RedisConnection, options: RedisSessionStoreOptions) {
    this.#conn = conn;
    this.#ttl = this.idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.#max = options.maxSessions ?? 100_000;
    this.#maxPerClient = options.maxSessionsPerClient ?? 1000;
    this.#maxStateBytes = options.maxStateBytes ?? 64 * 1024;
    this.serverRequestTimeoutMs = options.serverRequestTimeoutMs ?? 10 * 60_000;
    this.instance = Buffer.from(crypto.getRandomValues(new Uint8Array(9)))
      .toString('base64url')
      .replace(/[-_]/g, 'x');
  }

  /** A store on `conn`, subscribed to the fleet's session channels (ended sessions, answers for this instance). */
  static async connect(conn: RedisConnection, options: RedisSessionStoreOptions = {}): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(conn, options);
    const sub = await conn.subscriber();
    const onerror = options.onerror ?? (() => {});
    await sub.subscribe(conn.key('sess-end'), (id) => {
      for (const h of store.#handlers) h.ended(id);
    });
    await sub.subscribe(conn.key('sess-change'), (id) => {
      for (const h of store.#handlers) h.changed?.(id);
    });
    await sub.subscribe(conn.key('sess-cancel'), (raw) => {
      try {
        const { s, r } = JSON.parse(raw) as { s: string; r: RequestId };
        for (const h of store.#handlers) h.cancelled?.(s, r);
      } catch (e) {
        onerror(e);
      }
    });
    await sub.subscribe(conn.key('sreq', store.instance), (raw) => {
      try {
        const { s, m } = JSON.parse(raw) as { s: string; m: JsonRpcMessage & { id?: RequestId | null } };
        for (const h of store.#handlers) h.answer(s, m);
      } catch (e) {
        onerror(e);
      }
    });
    return store;
  }

  listen(handlers: Parameters<SessionStore['listen']>[0]): void {
    this.#handlers.push(handlers);
  }

  async create(id: string, state: SessionState) {
    const cc = JSON.stringify(state.clientCapabilities ?? {});
    const ci = state.clientInfo === undefined ? '' : JSON.stringify(state.clientInfo);
    const size = Buffer.byteLength(cc) + Buffer.byteLength(ci);
    if (size > this.#maxStateBytes)
      throw new McpError(
        ErrorCode.InvalidParams,
        `initialize: client capabilities and info take ${size} bytes, the limit is ${this.#maxStateBytes} (maxStateBytes)`,
      );
    const fields = [
      ['p', principalField(state.principal)],
      ['c', state.client ?? ''],
      ['v', state.version],
      ['cc', cc],
      ['ci', ci],
      ['ll', state.logLevel ?? ''],
      ['in', state.initialized ? '1' : ''],
      ['rev', '0'],
    ].flat();
    const keys = [
      this.#hash(id),
      this.#subs(id),
      this.#conn.key('sessions'),
      state.client === undefined ? this.#hash(id) : this.#conn.key('sess-client', state.client),
    ];
    const args = [Date.now(), this.#ttl, this.#max, this.#maxPerClient, id, ...fields];
    const out = await this.#conn.run((c) => CREATE.run<string>(c, keys, args));
    if (out === 'TSMCP_SESSIONS_FULL')
      return {
        reason: out,
        message: 'Service Unavailable: the fleet holds its most sessions (maxSessions); retry later',
      } as const;
    if (out === 'TSMCP_SESSIONS_PER_CLIENT')
      return {
        reason: out,
        message: `Service Unavailable: this client already holds ${this.#maxPerClient} sessions; end one (DELETE) or retry later`,
      } as const;
    if (state.subscriptions.length > 0) await this.#conn.run((c) => c.sAdd(this.#subs(id), state.subscriptions));
    return undefined;
  }

  async touch(
    id: string,
    principal: string | undefined,
    rev: number,
    change?: SessionChange,
  ): Promise<SessionSnapshot | undefined> {
    const value = change?.kind === 'logLevel' ? change.level : change && 'uri' in change ? change.uri : '';
    const keys = [this.#hash(id), this.#subs(id), this.#conn.key('sessions')];
    const args = [
      Date.now(),
      this.#ttl,
      principalField(principal),
      rev,
      change?.kind ?? '',
      value,
      id,
      this.#conn.key('sess-client', ''),
      this.#conn.key('sess-change'),
    ];
    const out = await this.#conn.run((c) => TOUCH.run<unknown[] | null>(c, keys, args));
    if (!out) return undefined;
    const got: SessionSnapshot = { rev: Number(out[0]) };
    if (out.length > 1) {
      const [, v, cc, ci, ll, init, client, subs] = out as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string[],
      ];
      got.state = {
        principal,
        client: client || undefined,
        version: v as LegacyVersion,
        clientCapabilities: JSON.parse(cc || '{}'),
        clientInfo: ci ? JSON.parse(ci) : undefined,
        logLevel: (ll || undefined) as LoggingLevel | undefined,
        subscriptions: subs,
        initialized: init === '1',
      };
    }
    return got;
  }

  async delete(id: string): Promise<void> {
    const keys = [this.#hash(id), this.#subs(id), this.#conn.key('sessions')];
    await this.#conn.run((c) =>
      DELETE.run(c, keys, [id, this.#conn.key('sess-client', ''), this.#conn.key('sess-end')]),
    );
  }

  async renew(ids: string[]): Promise<void> {
    const keys = [this.#conn.key('sessions'), ...ids.flatMap((id) => [this.#hash(id), this.#subs(id)])];
    const args = [Date.now(), this.#ttl, this.#conn.key('sess-client', ''), ...ids];
    await this.#conn.run((c) => RENEW.run(c, keys, args));
  }

  async route(instance: string, sessionId: string, message: JsonRpcMessage & { id?: RequestId | null }): Promise<void> {
    const channel = this.#conn.key('sreq', instance);
    await this.#conn.run((c) => c.publish(channel, JSON.stringify({ s: sessionId, m: message })));
  }

  async cancel(sessionId: string, requestId: RequestId): Promise<void> {
    const channel = this.#conn.key('sess-cancel');
    await this.#conn.run((c) => c.publish(channel, JSON.stringify({ s: sessionId, r: requestId })));
  }

  #hash(id: string): string {
    return this.#conn.key('sess', `{${id}}`);
  }
  #subs(id: string): string {
    return this.#conn.key('sess', `{${id}}`, 'subs');
  }
}

/** The principal as stored: `-` for an anonymous session, `=` and the name otherwise (never equal). */
function principalField(principal: string | undefined): string {
  return principal === undefined ? '-' : `=${principal}`;
}
