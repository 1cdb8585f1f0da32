// TaskCoordinator on Redis: each running task holds a lease key (value: the instance id, PX lease) that
// a timer of the owner renews; cancels and input answers go to the owner's own pub/sub channel, found
// through the lease. The renewal also reads each task's status, so a cancel whose message was lost
// (subscriber reconnecting) still reaches the work within one renewal interval.
import type { TaskCoordinator, TaskSignal } from '../../extensions/tasks/coordinator.js';
import { randomId } from '../../extensions/tasks/owner.js';
import type { RedisClient, RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';
import { leaseKey, taskKey, validTaskId } from './task-keys.js';

export interface RedisTaskCoordinatorOptions {
  /**
   * How long a task outlives a silent owner, ms: after this without a renewal, the next read of the task
   * on any instance ends it `failed`. Default 15 000. Renewed every `leaseMs / 3` by a timer (not by the
   * task's work), so a slow handler keeps its lease; a handler that blocks the event loop longer than
   * the lease does not.
   */
  leaseMs?: number;
  /** Sees background failures (renewals, subscription); default ignored: they are retried on the next tick. */
  onerror?: (error: unknown) => void;
}

// ARGV: lease prefix, channel prefix, message JSON. KEYS: lease.
const SEND = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if not owner then return 0 end
return redis.call('PUBLISH', ARGV[1] .. owner, ARGV[2])`);

// KEYS: lease1, task1, lease2, task2… ARGV: instance id, lease ms. Returns each task's status field (or false).
const RENEW = new LuaScript(`
local out = {}
for i = 1, #KEYS, 2 do
  local st = redis.call('HGET', KEYS[i + 1], 'status')
  if st == '"working"' or st == '"input_required"' then redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
  out[#out + 1] = st
end
return out`);

// KEYS: lease. ARGV: instance id. Deletes the lease only while it is ours.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

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
  readonly #onerror: (error: unknown) => void;
  readonly #local = new Map<string, (signal: TaskSignal) => void>();
  #subscribed: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(conn: RedisConnection, options: RedisTaskCoordinatorOptions = {}) {
    this.#conn = conn;
    this.#lease = Math.max(30, options.leaseMs ?? 15_000);
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
      await this.#conn.run((r) => RELEASE.run(r, [leaseKey(this.#conn, taskId)], [this.instanceId])).catch(() => {});
      throw e;
    }
    this.#timer ??= setInterval(() => void this.#renew(), Math.max(10, Math.floor(this.#lease / 3)));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async release(taskId: string): Promise<void> {
    this.#local.delete(taskId);
    if (!this.#local.size) this.#stopTimer();
    await this.#conn.run((r) => RELEASE.run(r, [leaseKey(this.#conn, taskId)], [this.instanceId]));
  }

  async send(taskId: string, signal: TaskSignal): Promise<void> {
    const local = this.#local.get(taskId);
    if (local) return local(signal);
    if (!validTaskId(taskId)) return;
    await this.#conn.run((r) =>
      SEND.run(r, [leaseKey(this.#conn, taskId)], [this.#channelPrefix, JSON.stringify({ taskId, signal })]),
    );
  }

  async orphans(taskIds: string[]): Promise<Set<string>> {
    const ids = taskIds.filter((id) => validTaskId(id) && !this.#local.has(id));
    if (!ids.length) return new Set();
    const owners = await this.#conn.run((r) => r.mGet(ids.map((id) => leaseKey(this.#conn, id))));
    return new Set(ids.filter((_id, i) => owners[i] == null));
  }

  /** Stops renewing and listening (the leases of still-running tasks then expire: call after the work is done). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopTimer();
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
      const { taskId, signal } = JSON.parse(message) as { taskId: string; signal: TaskSignal };
      this.#local.get(taskId)?.(signal);
    } catch (e) {
      this.#onerror(e);
    }
  }

  async #renew(): Promise<void> {
    if (this.#closed || !this.#local.size) return;
    const ids = [...this.#local.keys()];
    const keys = ids.flatMap((id) => [leaseKey(this.#conn, id), taskKey(this.#conn, id)]);
    try {
      const statuses = (await this.#conn.run((r) => RENEW.run(r, keys, [this.instanceId, String(this.#lease)]))) as (
        | string
        | null
      )[];
      // Ended elsewhere (cancelled, failed as orphaned, removed): stop the work here.
      ids.forEach((id, i) => {
        const st = statuses[i];
        if (st !== '"working"' && st !== '"input_required"') this.#local.get(id)?.({ type: 'cancel' });
      });
    } catch (e) {
      this.#onerror(e);
    }
  }
}
