// TaskStore on Redis: a task is a hash (one field per TaskRecord key, each JSON), expiring with the task's
// ttl. Every write is one Lua script: create (with the fleet-wide per-owner and total bounds on live
// tasks), update (compare-and-set on status; terminal statuses are written once) and delete.
import { ErrorCode, McpError } from '../../protocol/errors.js';
import { bucketOf } from '../../extensions/tasks/owner.js';
import { LIVE_STATUSES, type TaskRecord, type TaskStatus, type TaskStore } from '../../extensions/tasks/store.js';
import type { RedisConnection } from './connection.js';
import { LuaScript } from './lua.js';
import { allLiveKey, bucketKey, indexKey, taskKey, validTaskId } from './task-keys.js';

export interface RedisTaskStoreOptions {
  /**
   * Largest task record, bytes of its stored JSON fields (the result and input requests included).
   * Default 1 MiB. A create or update over it is refused with -32603 (`data.limit` "maxRecordBytes");
   * the manager then ends the task `failed` with that error instead of storing the oversize result.
   */
  maxRecordBytes?: number;
  /** Most live (working / input_required) tasks in the whole fleet. Default 100 000; one more is refused with -32603 (`data.limit` "maxLiveTasks"). */
  maxLiveTasks?: number;
  /** Lifetime of a task created with `ttlMs: null`, ms. Default 24 hours (the manager's default `maxTtlMs`). */
  maxTtlMs?: number;
  /** Most tasks the (deprecated, experimental) `tasks/list` reads. Default 1000. */
  maxList?: number;
}

/** Internal hash field: the owner bucket's live-set key, so the update script can leave it when terminal. */
const BUCKET_FIELD = '~bucket';

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const EXTEND = `local function extend(k, ms) if redis.call('PTTL', k) < ms then redis.call('PEXPIRE', k, ms) end end`;

// KEYS: task, bucket set, fleet live set, index. ARGV: ttl, maxPerOwner (0: none), maxLive, id, live (1/0), field/value…
const CREATE = new LuaScript(`${NOW} ${EXTEND}
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('TSMCP_TASK_EXISTS') end
if ARGV[5] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local max = tonumber(ARGV[2])
  if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then return 'maxTasksPerPrincipal' end
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 'maxLiveTasks' end
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[4]) extend(KEYS[2], ttl)
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[4]) extend(KEYS[3], ttl)
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
redis.call('ZADD', KEYS[4], now + ttl, ARGV[4]) extend(KEYS[4], ttl)
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ttl)
return 'ok'`);

// KEYS: task, fleet live set. ARGV: maxBytes, id, n, n allowed statuses (JSON), m, m field/value pairs, removed fields…
const UPDATE = new LuaScript(`
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return false end
local n = tonumber(ARGV[3])
local allowed = false
for i = 4, 3 + n do if ARGV[i] == cur then allowed = true end end
if not allowed then return false end
local fields = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do fields[all[i]] = all[i + 1] end
local m = tonumber(ARGV[4 + n])
local sets = {}
for i = 5 + n, 4 + n + 2 * m, 2 do fields[ARGV[i]] = ARGV[i + 1] sets[#sets + 1] = ARGV[i] sets[#sets + 1] = ARGV[i + 1] end
local dels = {}
for i = 5 + n + 2 * m, #ARGV do fields[ARGV[i]] = nil dels[#dels + 1] = ARGV[i] end
local size = 0
for k, v in pairs(fields) do size = size + #k + #v end
if size > tonumber(ARGV[1]) then return redis.error_reply('TSMCP_TASK_TOO_LARGE') end
if #sets > 0 then redis.call('HSET', KEYS[1], unpack(sets)) end
if #dels > 0 then redis.call('HDEL', KEYS[1], unpack(dels)) end
local st = fields['status']
if st ~= '"working"' and st ~= '"input_required"' then
  if fields['${BUCKET_FIELD}'] then redis.call('ZREM', cjson.decode(fields['${BUCKET_FIELD}']), ARGV[2]) end
  redis.call('ZREM', KEYS[2], ARGV[2])
end
local out = {}
for k, v in pairs(fields) do out[#out + 1] = k out[#out + 1] = v end
return out`);

// KEYS: task, fleet live set, index. ARGV: id.
const DELETE = new LuaScript(`
local b = redis.call('HGET', KEYS[1], '${BUCKET_FIELD}')
if b then redis.call('ZREM', cjson.decode(b), ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return redis.call('DEL', KEYS[1])`);

// KEYS: index. ARGV: task key prefix, max. Every unexpired task's fields, in one round trip.
const LIST = new LuaScript(`${NOW}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[1] .. id)
  if #h > 0 then out[#out + 1] = h end
end
return out`);

function tooLarge(max: number): McpError {
  return new McpError(ErrorCode.InternalError, `Task record too large: over ${max} bytes (maxRecordBytes)`, {
    limit: 'maxRecordBytes',
    max,
  });
}

/** UTF-8 length of a string (what Redis stores and Lua's `#` counts), without encoding it. */
function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) (n += 4), i++;
    else n += 3;
  }
  return n;
}

/** The stored fields of a record: each value JSON; undefined ones left out. */
function fieldsOf(task: Partial<TaskRecord>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(task)) if (v !== undefined) out.push([k, JSON.stringify(v)]);
  return out;
}

function recordOf(fields: Record<string, string> | string[]): TaskRecord | undefined {
  const entries: [string, string][] = Array.isArray(fields)
    ? Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])
    : Object.entries(fields);
  if (!entries.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) if (k !== BUCKET_FIELD) out[k] = JSON.parse(v);
  return out as unknown as TaskRecord;
}

/**
 * Tasks shared by a fleet of tsmcp instances (with `RedisTaskCoordinator` for cancel, input and leases).
 * Round trips: create 1, get 1, update 1, delete 1, list 1 (an unknown script costs one more, once).
 * Bounds: each task expires with its ttl; live tasks per owner (the manager's `maxTasksPerPrincipal`,
 * counted fleet-wide) and in total (`maxLiveTasks`); a record's size (`maxRecordBytes`).
 * Needs a standalone Redis (or one primary): the scripts touch keys they compute, which Redis Cluster refuses.
 * @example new McpServer(info, { tasks: { store: new RedisTaskStore(conn), coordinator: new RedisTaskCoordinator(conn) } })
 */
export class RedisTaskStore implements TaskStore {
  readonly #conn: RedisConnection;
  readonly #maxBytes: number;
  readonly #maxLive: number;
  readonly #maxTtl: number;
  readonly #maxList: number;
  constructor(conn: RedisConnection, options: RedisTaskStoreOptions = {}) {
    this.#conn = conn;
    this.#maxBytes = options.maxRecordBytes ?? 1024 * 1024;
    this.#maxLive = options.maxLiveTasks ?? 100_000;
    this.#maxTtl = options.maxTtlMs ?? 24 * 60 * 60_000;
    this.#maxList = options.maxList ?? 1000;
  }

  async create(task: TaskRecord, options: { maxPerOwner?: number } = {}): Promise<void> {
    const c = this.#conn;
    if (!validTaskId(task.taskId)) throw new McpError(ErrorCode.InternalError, 'Invalid task id');
    const bucket = bucketKey(c, bucketOf(task));
    const fields = fieldsOf(task);
    fields.push([BUCKET_FIELD, JSON.stringify(bucket)]);
    if (fields.reduce((n, [k, v]) => n + utf8Bytes(k) + utf8Bytes(v), 0) > this.#maxBytes)
      throw tooLarge(this.#maxBytes);
    const ttl = Math.max(1, Math.min(task.ttlMs ?? this.#maxTtl, this.#maxTtl));
    const live = LIVE_STATUSES.includes(task.status);
    const args = [String(ttl), String(options.maxPerOwner ?? 0), String(this.#maxLive), task.taskId, live ? '1' : '0'];
    const keys = [taskKey(c, task.taskId), bucket, allLiveKey(c), indexKey(c)];
    const verdict = await c.run((r) => CREATE.run(r, keys, [...args, ...fields.flat()]));
    if (verdict === 'maxTasksPerPrincipal')
      throw new McpError(
        ErrorCode.InternalError,
        `Too many tasks: at most ${options.maxPerOwner} unfinished tasks per principal across the fleet (maxTasksPerPrincipal)`,
        { limit: 'maxTasksPerPrincipal', max: options.maxPerOwner },
      );
    if (verdict === 'maxLiveTasks')
      throw new McpError(
        ErrorCode.InternalError,
        `Too many tasks: the fleet holds ${this.#maxLive} unfinished tasks (RedisTaskStore maxLiveTasks)`,
        { limit: 'maxLiveTasks', max: this.#maxLive },
      );
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (!validTaskId(taskId)) return undefined;
    return recordOf((await this.#conn.run((r) => r.hGetAll(taskKey(this.#conn, taskId)))) as Record<string, string>);
  }

  async update(
    taskId: string,
    patch: Partial<TaskRecord>,
    options: { ifStatus: readonly TaskStatus[] },
  ): Promise<TaskRecord | undefined> {
    if (!validTaskId(taskId)) return undefined;
    const c = this.#conn;
    const sets = fieldsOf(patch).filter(([k]) => k !== 'taskId');
    const dels = Object.keys(patch).filter((k) => patch[k as keyof TaskRecord] === undefined);
    const args = [String(this.#maxBytes), taskId, String(options.ifStatus.length)];
    args.push(...options.ifStatus.map((s) => JSON.stringify(s)), String(sets.length), ...sets.flat(), ...dels);
    try {
      const out = await c.run((r) => UPDATE.run(r, [taskKey(c, taskId), allLiveKey(c)], args));
      return Array.isArray(out) ? recordOf(out as string[]) : undefined;
    } catch (e) {
      if (String((e as Error)?.message).includes('TSMCP_TASK_TOO_LARGE')) throw tooLarge(this.#maxBytes);
      throw e;
    }
  }

  async delete(taskId: string): Promise<void> {
    if (!validTaskId(taskId)) return;
    const c = this.#conn;
    await c.run((r) => DELETE.run(r, [taskKey(c, taskId), allLiveKey(c), indexKey(c)], [taskId]));
  }

  async list(): Promise<TaskRecord[]> {
    const c = this.#conn;
    const out = (await c.run((r) =>
      LIST.run(r, [indexKey(c)], [c.key('task', ''), String(this.#maxList)]),
    )) as string[][];
    return out.map((h) => recordOf(h)).filter((t): t is TaskRecord => t !== undefined);
  }
}
