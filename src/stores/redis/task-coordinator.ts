// TaskCoordinator on Redis: each running task holds a lease key (value: the instance id, PX lease) that
// a timer of the owner renews; cancels and input answers go to the owner's own pub/sub channel, found
// through the lease. The renewal also reads each task's status and its inbox (input answers are kept there
// too), so a cancel or an answer whose message was lost (subscriber reconnecting) still reaches the work
// within one renewal interval.
import type { TaskCoordinator, TaskSignal } from '../../extensions/tasks/coordinator.js';
import { randomId } from '../../extensions/tasks/owner.js';
import type { RedisClient, RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';
import { allLiveKey, leaseKey, taskKey, validTaskId } from './task-keys.js';

export interface RedisTaskCoordinatorOptions {
  /**
   * How long a task outlives a silent owner, ms: after this without a renewal, the next read of the task
   * on any instance ends it `failed`. Default 15 000. Renewed every `leaseMs / 3` by a timer (not by the
   * task's work), so a slow handler keeps its lease; a handler that blocks the event loop longer than
   * the lease does not.
   */
  leaseMs?: number;
  /**
   * How often this instance looks for live tasks whose instance died (they end `failed` even when nobody
   * reads them), ms. Default `leaseMs`; 0 never (a dead owner's task then fails on its next read only).
   */
  sweepMs?: number;
  /** Sees background failures (renewals, subscription); default ignored: they are retried on the next tick. */
  onerror?: (error: unknown) => void;
}

/** Input answers kept per task until its owner reads them (a PUBLISH reaches no one while it resubscribes). */
const INBOX_MAX = 64;

// KEYS: lease, inbox. ARGV: channel prefix, message JSON, inbox ttl ms ('' for a cancel: not kept).
const SEND = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if not owner then return 0 end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('LTRIM', KEYS[2], -${INBOX_MAX}, -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return redis.call('PUBLISH', ARGV[1] .. owner, ARGV[2])`);

// KEYS: lease1, task1, inbox1, lease2, … ARGV: instance id, lease ms. Returns, per task, its status field
// (or false) and the input answers waiting in its inbox (taken out).
const RENEW = new LuaScript(`
local out = {}
for i = 1, #KEYS, 3 do
  local st = redis.call('HGET', KEYS[i + 1], 'status')
  if st == '"working"' or st == '"input_required"' then redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
  out[#out + 1] = st
  out[#out + 1] = redis.call('LRANGE', KEYS[i + 2], 0, -1)
  redis.call('DEL', KEYS[i + 2])
end
return out`);

// KEYS: lease, inbox. ARGV: instance id. Deletes the lease (and the inbox) only while the lease is ours.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return redis.call('DEL', KEYS[1])
end
return 0`);

// KEYS: the fleet's live-task index. ARGV: lease key prefix, how many to look at. Unexpired live tasks
// (soonest to expire first) that have no lease: their instance is gone.
const ORPHANS = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'LIMIT', 0, tonumber(ARGV[2]))) do
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then out[#out + 1] = id end
end
return out`);

/** Live tasks one sweep looks at (the sweep runs once per lease; more orphans wait for the next one). */
const SWEEP_BATCH = 100;

const inboxKey = (conn: RedisConnection, id: string): string => conn.key('taskinbox', id);
/** Ids of input messages delivered lately (by pub/sub or the inbox), so neither way delivers one twice. */
const SEEN_MAX = 1024;

/**
 * Routes cancels and input answers to the instance running a task, and fails the tasks of a dead one.
 * Round trips: claim 1 (plus one SUBSCRIBE on first use), release 1, send 1, orphans 1 (for any number
 * of tasks); the renewal costs one per `leaseMs / 3` for all of this instance's running tasks.
 */
export class RedisTaskCoordinator implements TaskCoordinator {
  /** This instance's id: the value of its leases and the name of its channel. */
  readonly instanceId = randomId();
  readonly #conn: RedisConnection;
  readonly #lease: number;
  readonly #sweepMs: number;
  readonly #onerror: (error: unknown) => void;
  readonly #local = new Map<string, (signal: TaskSignal) => void>();
  readonly #seen = new Set<string>();
  #subscribed: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #watchers = new Set<(taskIds: string[]) => void>();
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(conn: RedisConnection, options: RedisTaskCoordinatorOptions = {}) {
    this.#conn = conn;
    this.#lease = Math.max(30, options.leaseMs ?? 15_000);
    this.#sweepMs = options.sweepMs === 0 ? 0 : Math.max(30, options.sweepMs ?? this.#lease);
    this.#onerror = options.onerror ?? (() => {});
  }

  get #channelPrefix(): string {
    return this.#conn.key('taskinst', '');
  }

  /** Number of tasks this instance runs (holds leases for). */
  get running(): number {
    return this.#local.size;
  }

  async claim(taskId: string, deliver: (signal: TaskSignal) => void): Promise<void> {
    this.#local.set(taskId, deliver);
    try {
      // The lease first: it fails fast (503) while Redis is unreachable, before the subscriber is tried.
      await this.#conn.run((r) =>
        r.set(leaseKey(this.#conn, taskId), this.instanceId, { expiration: { type: 'PX', value: this.#lease } }),
      );
      await this.#subscribe();
    } catch (e) {
      this.#local.delete(taskId);
      await this.#conn
        .run((r) => RELEASE.run(r, [leaseKey(this.#conn, taskId), inboxKey(this.#conn, taskId)], [this.instanceId]))
        .catch(() => {});
      throw e;
    }
    this.#timer ??= setInterval(() => void this.#renew(), Math.max(10, Math.floor(this.#lease / 3)));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async release(taskId: string): Promise<void> {
    this.#local.delete(taskId);
    if (!this.#local.size) this.#stopTimer();
    await this.#conn.run((r) =>
      RELEASE.run(r, [leaseKey(this.#conn, taskId), inboxKey(this.#conn, taskId)], [this.instanceId]),
    );
  }

  async send(taskId: string, signal: TaskSignal): Promise<void> {
    const local = this.#local.get(taskId);
    if (local) return local(signal);
    if (!validTaskId(taskId)) return;
    // An input answer is also kept in the task's inbox (read by the owner's next renewal); its id lets the
    // owner deliver it once whichever way arrives first.
    const keep = signal.type === 'input';
    const message = JSON.stringify(keep ? { taskId, signal, id: randomId() } : { taskId, signal });
    const ttl = keep ? String(Math.max(4 * this.#lease, 60_000)) : '';
    await this.#conn.run((r) =>
      SEND.run(r, [leaseKey(this.#conn, taskId), inboxKey(this.#conn, taskId)], [this.#channelPrefix, message, ttl]),
    );
  }

  async orphans(taskIds: string[]): Promise<Set<string>> {
    const ids = taskIds.filter((id) => validTaskId(id) && !this.#local.has(id));
    if (!ids.length) return new Set();
    const owners = await this.#conn.run((r) => r.mGet(ids.map((id) => leaseKey(this.#conn, id))));
    return new Set(ids.filter((_id, i) => owners[i] == null));
  }

  /**
   * Every `sweepMs` (default: once per lease), looks at up to 100 live tasks of the fleet for a lost lease (one round trip) and hands
   * their ids to `found`; the manager then ends them failed by compare-and-set (a task that has just
   * finished keeps its status).
   */
  watchOrphans(found: (taskIds: string[]) => void): () => void {
    if (!this.#sweepMs) return () => {};
    this.#watchers.add(found);
    this.#sweeper ??= setInterval(() => void this.#sweep(), this.#sweepMs);
    (this.#sweeper as { unref?: () => void }).unref?.();
    return () => {
      this.#watchers.delete(found);
      if (!this.#watchers.size) this.#stopSweeper();
    };
  }

  async #sweep(): Promise<void> {
    if (this.#closed) return;
    try {
      const ids = (await this.#conn.run((r) =>
        ORPHANS.run(r, [allLiveKey(this.#conn)], [leaseKey(this.#conn, ''), String(SWEEP_BATCH)]),
      )) as string[];
      const orphans = ids.filter((id) => !this.#local.has(id));
      if (orphans.length) for (const w of this.#watchers) w(orphans);
    } catch (e) {
      this.#onerror(e);
    }
  }

  #stopSweeper(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Stops renewing and listening (the leases of still-running tasks then expire: call after the work is done). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopTimer();
    this.#stopSweeper();
    // Not awaited: while the subscriber reconnects an UNSUBSCRIBE may wait for it; closing must not.
    if (this.#subscribed)
      void this.#subscribed
        .then(() => this.#conn.subscriber())
        .then((sub) => sub.unsubscribe(this.#channelPrefix + this.instanceId))
        .catch(this.#onerror);
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #subscribe(): Promise<void> {
    this.#subscribed ??= (async () => {
      const sub: RedisClient = await this.#conn.subscriber();
      await sub.subscribe(this.#channelPrefix + this.instanceId, (message: string) => this.#receive(message));
    })().catch((e: unknown) => {
      this.#subscribed = undefined;
      throw e;
    });
    return this.#subscribed;
  }

  #receive(message: string): void {
    try {
      const { taskId, signal, id } = JSON.parse(message) as { taskId: string; signal: TaskSignal; id?: string };
      if (id !== undefined) {
        if (this.#seen.has(id)) return;
        this.#seen.add(id);
        if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.values().next().value as string);
      }
      this.#local.get(taskId)?.(signal);
    } catch (e) {
      this.#onerror(e);
    }
  }

  async #renew(): Promise<void> {
    if (this.#closed || !this.#local.size) return;
    const ids = [...this.#local.keys()];
    const keys = ids.flatMap((id) => [leaseKey(this.#conn, id), taskKey(this.#conn, id), inboxKey(this.#conn, id)]);
    try {
      const out = (await this.#conn.run((r) => RENEW.run(r, keys, [this.instanceId, String(this.#lease)]))) as (
        | string
        | null
        | string[]
      )[];
      ids.forEach((id, i) => {
        // Answers whose PUBLISH this instance missed (or already delivered: skipped by id).
        for (const m of (out[2 * i + 1] as string[] | null) ?? []) this.#receive(m);
        // Ended elsewhere (cancelled, failed as orphaned, removed): stop the work here.
        const st = out[2 * i];
        if (st !== '"working"' && st !== '"input_required"') this.#local.get(id)?.({ type: 'cancel' });
      });
    } catch (e) {
      this.#onerror(e);
    }
  }
}
