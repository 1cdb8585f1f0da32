// Server side of the tasks extension (io.modelcontextprotocol/tasks): a tool call can become a task
// that runs in the background; tasks/get, tasks/update and tasks/cancel follow it; status changes go
// to subscriptions/listen streams that asked for the task's id.
import { ErrorCode, McpError, invalidParams, methodNotFound } from '../../protocol/errors.js';
import { supports } from '../../protocol/features.js';
import { isObject, type JsonObject } from '../../protocol/jsonrpc.js';
import type { ClientCapabilities, InputRequests, InputResponses } from '../../protocol/types.js';
import { createContext, isValidInputResponse, type RequestContext } from '../../server/context.js';
import type { Server } from '../../server/server.js';
import type { TaskCoordinator, TaskSignal } from './coordinator.js';
import { bucketOf, ownerOf, owns, randomId, sessionKey, statelessOwnerOf, type Owner } from './owner.js';
import { InMemoryTaskStore, LIVE_STATUSES, type TaskRecord, type TaskStatus, type TaskStore } from './store.js';

/** The tasks extension's id (its notifications ride on subscriptions/listen). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The 2025-11-25 `capabilities.tasks` of experimental tasks (deprecated). */
const EXPERIMENTAL_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

export interface TasksOptions {
  /** Where task state lives. Default: in memory (one process, at most 10 000 tasks; see InMemoryTaskStore). */
  store?: TaskStore;
  /** How long a task and its result are kept after creation, ms. Default 1 hour (capped at `maxTtlMs`). */
  ttlMs?: number;
  /**
   * Longest lifetime a task may have, ms, whatever a client asks for (2025-11-25 `params.task.ttl`).
   * Default 24 hours. A task still running when its lifetime ends is cancelled (its signal aborts) and removed.
   */
  maxTtlMs?: number;
  /**
   * Most unfinished tasks one principal may have at once in this process; one more is refused with
   * -32603 (`data.limit` "maxTasksPerPrincipal"). Without a principal the bucket is the legacy session
   * (HTTP session or connection), and stateless requests share one anonymous bucket: configure
   * `principalOf` to tell such clients apart. A task counts from creation until its work has returned
   * (a cancelled or expired task's work is aborted; it stops counting once the handler returns). Default 100.
   * A store shared by a fleet (RedisTaskStore) also counts it across instances, until the task's status is terminal.
   */
  maxTasksPerPrincipal?: number;
  /** Poll interval suggested to clients, ms. Default 500. */
  pollIntervalMs?: number;
  /**
   * For a fleet of instances sharing `store`: routes a cancel or an input answer that arrives on another
   * instance to the one running the task, and holds a lease per running task so that a task whose
   * instance died ends `failed` ("the instance running this task stopped") on the next read. Default:
   * none (one process; tsmcp/redis has `RedisTaskCoordinator`).
   */
  coordinator?: TaskCoordinator;
}

interface Live {
  controller: AbortController;
  /** Outstanding input requests by key, with the resolver of the round that asked. */
  pending: Map<string, { request: JsonObject; answer(response: unknown): void }>;
  bucket: string;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** setTimeout's longest delay; longer lifetimes re-arm. */
const MAX_TIMER = 0x7fffffff;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function declaresTasks(caps: ClientCapabilities): boolean {
  return isObject(caps.extensions) && TASKS_EXTENSION in caps.extensions;
}

function missingExtension(): McpError {
  return new McpError(
    ErrorCode.MissingRequiredClientCapability,
    'This needs the io.modelcontextprotocol/tasks extension',
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
  );
}

/** The wire form of a task (Task / DetailedTask): status-specific fields only where they belong. */
function wire(t: TaskRecord, detailed: boolean): JsonObject {
  const out: JsonObject = {
    taskId: t.taskId,
    status: t.status,
    createdAt: t.createdAt,
    lastUpdatedAt: t.lastUpdatedAt,
    ttlMs: t.ttlMs,
  };
  if (t.pollIntervalMs !== undefined) out.pollIntervalMs = t.pollIntervalMs;
  if (t.statusMessage !== undefined) out.statusMessage = t.statusMessage;
  if (detailed) {
    if (t.status === 'input_required') out.inputRequests = t.inputRequests ?? {};
    if (t.status === 'completed' && t.result) out.result = t.result;
    if (t.status === 'failed' && t.error) out.error = t.error;
  }
  return out;
}

/** The 2025-11-25 (experimental) wire form of a task: `ttl`/`pollInterval`, no inline result. */
function legacyWire(t: TaskRecord): JsonObject {
  const out: JsonObject = {
    taskId: t.taskId,
    status: t.status,
    createdAt: t.createdAt,
    lastUpdatedAt: t.lastUpdatedAt,
    ttl: t.ttlMs,
  };
  if (t.pollIntervalMs !== undefined) out.pollInterval = t.pollIntervalMs;
  if (t.statusMessage !== undefined) out.statusMessage = t.statusMessage;
  return out;
}

/** Runs tasks for one Server; install once (McpServer does it when given `tasks`). */
export class TaskManager {
  readonly #server: Server;
  readonly #store: TaskStore;
  readonly #ttlMs: number;
  readonly #maxTtlMs: number;
  readonly #maxPerPrincipal: number;
  readonly #poll: number;
  readonly #coordinator: TaskCoordinator | undefined;
  readonly #live = new Map<string, Live>();
  /** Unfinished tasks per bucket (see `maxTasksPerPrincipal`). */
  readonly #buckets = new Map<string, number>();
  #experimental = false;

  /** Where this manager keeps task state (a fleet's startup check looks for the in-memory default). */
  get store(): TaskStore {
    return this.#store;
  }

  constructor(server: Server, options: TasksOptions = {}) {
    this.#server = server;
    this.#store = options.store ?? new InMemoryTaskStore();
    this.#maxTtlMs = options.maxTtlMs ?? 24 * 60 * 60_000;
    this.#ttlMs = Math.min(options.ttlMs ?? 60 * 60_000, this.#maxTtlMs);
    this.#maxPerPrincipal = options.maxTasksPerPrincipal ?? 100;
    this.#poll = options.pollIntervalMs ?? 500;
    this.#coordinator = options.coordinator;
    // A dead instance's tasks end failed even when nobody reads them (their `notifications/tasks` then goes out).
    this.#coordinator?.watchOrphans?.((ids) => {
      for (const id of ids) this.#read(id).catch((e: unknown) => this.#background(e));
    });
    (server.capabilities.extensions ??= {})[TASKS_EXTENSION] = {};
    // Tasks owned by a session (no principal) become unreachable when it ends: stop their work, free their slots.
    server.onLegacySessionEnd((session) => {
      const bucket = bucketOf({ session: sessionKey(session) });
      for (const [taskId, live] of this.#live) {
        if (live.bucket !== bucket) continue;
        this.#abort(taskId, 'Session ended');
        this.#store.delete(taskId).catch((e: unknown) => this.#background(e));
      }
    });
    // subscriptions/listen follows only the caller's own tasks (the tasks/get rule); others are dropped:
    // a task id names a task, it does not authorize following it.
    server.addListenFilter('taskIds', {
      extension: TASKS_EXTENSION,
      authorize: async (ids, ctx) => {
        const owner = statelessOwnerOf(this.#server, ctx);
        const found = await Promise.all(ids.map((id) => this.#store.get(id)));
        return ids.filter((_id, i) => {
          const t = found[i];
          return t !== undefined && !t.experimental && owns(owner, t);
        });
      },
    });
    server.declareResultType('task', ['tools/call']);
    server.addLegacyCapabilities((version) =>
      this.#experimental && supports(version, 'experimentalTasks') ? { tasks: EXPERIMENTAL_CAPABILITY } : undefined,
    );
    server.setRequestHandler('tasks/get', async (p, ctx) => {
      if (ctx.era === 'legacy') return legacyWire(await this.#legacyTask(p, ctx));
      return { resultType: 'complete', ...wire(await this.#task(p, ctx), true) };
    });
    // 2025-11-25's experimental methods: legacy sessions only, once enabled (removed in 2026-07-28).
    server.setRequestHandler('tasks/result', async (p, ctx) => this.#legacyResult(p, ctx), { era: 'legacy' });
    server.setRequestHandler(
      'tasks/list',
      async (_p, ctx) => {
        if (ctx.era !== 'legacy' || !this.#experimental) throw methodNotFound('tasks/list');
        const owner = ownerOf(this.#server, ctx);
        const mine = ((await this.#store.list?.()) ?? []).filter((t) => t.experimental && owns(owner, t));
        return { tasks: (await this.#settleOrphans(mine)).map(legacyWire) };
      },
      { era: 'legacy' },
    );
    server.setRequestHandler('tasks/update', async (p, ctx) => {
      const t = await this.#task(p, ctx);
      const live = this.#live.get(t.taskId);
      const responses = p.inputResponses as JsonObject;
      if (live) await this.#answer(t.taskId, live, responses);
      // Running on another instance: the answers go there (only a task waiting for input can use them).
      else if (this.#coordinator && t.status === 'input_required')
        await this.#coordinator.send(t.taskId, { type: 'input', responses });
      return { resultType: 'complete' };
    });
    server.setRequestHandler('tasks/cancel', async (p, ctx) => {
      if (ctx.era === 'legacy') {
        const t = await this.#legacyTask(p, ctx);
        const done = await this.#cancel(t.taskId);
        if (done) return legacyWire(done);
        const now = await this.#store.get(t.taskId);
        throw invalidParams(now ? `Task ${t.taskId} is already ${now.status}` : `Unknown task: ${t.taskId}`);
      }
      await this.#cancel((await this.#task(p, ctx)).taskId);
      return { resultType: 'complete' };
    });
  }

  /** Serve 2025-11-25's experimental tasks to legacy sessions (see tsmcp/experimental). */
  enableExperimental(): void {
    this.#experimental = true;
  }

  /** Whether this (legacy) request asked for an experimental task and may get one. */
  experimentalRequested(ctx: RequestContext, params: JsonObject): boolean {
    return (
      this.#experimental &&
      ctx.era === 'legacy' &&
      supports(ctx.protocolVersion, 'experimentalTasks') &&
      isObject(params.task)
    );
  }

  /** Tool execution support as 2025-11-25 tools/list shows it, when experimental tasks are on. */
  experimentalSupport(ctx: RequestContext): boolean {
    return this.#experimental && ctx.era === 'legacy' && supports(ctx.protocolVersion, 'experimentalTasks');
  }

  /** Start an experimental task: input goes through the session's own server→client requests. */
  async startExperimental(
    base: RequestContext,
    params: JsonObject,
    run: (ctx: RequestContext) => Promise<JsonObject>,
  ): Promise<JsonObject> {
    const ttl = isObject(params.task) && typeof params.task.ttl === 'number' ? params.task.ttl : undefined;
    const record = await this.#begin(base, run, { ttlMs: ttl, input: (r) => base.input(r), experimental: true });
    return { task: legacyWire(record) };
  }

  /** An experimental task of this request's owner; anything else is answered like an unknown id. */
  async #legacyTask(p: JsonObject, ctx: RequestContext): Promise<TaskRecord> {
    if (!this.#experimental) throw methodNotFound('tasks/get');
    const t = await this.#read(String(p.taskId));
    if (!t?.experimental || !owns(ownerOf(this.#server, ctx), t))
      throw invalidParams(`Unknown task: ${String(p.taskId)}`);
    return t;
  }

  /** tasks/result: wait for the task to end, then answer exactly as the original request would have. */
  async #legacyResult(p: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    if (ctx.era !== 'legacy') throw methodNotFound('tasks/result');
    let t = await this.#legacyTask(p, ctx);
    while (!TERMINAL.has(t.status) && !ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, 25));
      t = (await this.#read(t.taskId)) ?? {
        ...t,
        status: 'failed',
        error: { code: ErrorCode.InternalError, message: 'Task expired' },
      };
    }
    const related = { 'io.modelcontextprotocol/related-task': { taskId: t.taskId } };
    if (t.status === 'completed' && t.result) {
      const { resultType: _r, ...result } = t.result;
      return { ...result, _meta: { ...(isObject(result._meta) ? result._meta : {}), ...related } };
    }
    if (t.status === 'cancelled') throw new McpError(ErrorCode.InternalError, 'Task was cancelled', related);
    throw new McpError(t.error?.code ?? ErrorCode.InternalError, t.error?.message ?? 'Task failed', t.error?.data);
  }

  /** Whether this request's client can take a task. */
  declared(ctx: RequestContext): boolean {
    return declaresTasks(ctx.clientCapabilities);
  }

  /** Refuse a request that must run as a task but comes from a client without the extension. */
  required(): McpError {
    return missingExtension();
  }

  async #task(p: JsonObject, ctx: RequestContext): Promise<TaskRecord> {
    if (!this.declared(ctx)) throw missingExtension();
    const t = await this.#read(String(p.taskId));
    // Another owner's task (or an experimental one) is answered exactly like one that does not exist.
    if (!t || t.experimental || !owns(ownerOf(this.#server, ctx), t))
      throw invalidParams(`Unknown task: ${String(p.taskId)}`);
    return t;
  }

  /**
   * Write `patch` if the task's status is still one of `from` (compare-and-set), and announce the new
   * state only when this write won. A task the store no longer has gets its work aborted.
   */
  async #set(
    taskId: string,
    patch: Partial<TaskRecord>,
    from: readonly TaskStatus[] = LIVE_STATUSES,
  ): Promise<TaskRecord | undefined> {
    const next = await this.#store.update(
      taskId,
      { ...patch, lastUpdatedAt: new Date().toISOString() },
      { ifStatus: from },
    );
    // announce: a bus that refuses the event (a shared bus's size bound) must not fail the status write.
    if (next)
      this.#server.announce({
        type: 'extension',
        method: 'notifications/tasks',
        params: wire(next, true),
        key: 'taskIds',
        value: taskId,
      });
    else if (this.#live.has(taskId) && !(await this.#store.get(taskId))) this.#abort(taskId, 'Task removed');
    return next;
  }

  /** Cancel a live task: the status write decides (completion may win); only then is the work aborted. */
  async #cancel(taskId: string): Promise<TaskRecord | undefined> {
    const next = await this.#set(taskId, { status: 'cancelled', inputRequests: undefined });
    if (next && this.#live.has(taskId)) this.#abort(taskId, 'Task cancelled');
    // Its work runs on another instance (if any still does): abort it there.
    else if (next && this.#coordinator) await this.#coordinator.send(taskId, { type: 'cancel' });
    return next;
  }

  /** Input answers for a task running here; keys not outstanding (unknown, answered, superseded) are ignored, as the spec says. */
  async #answer(taskId: string, live: Live, responses: JsonObject): Promise<void> {
    const before = live.pending.size;
    for (const key in responses) live.pending.get(key)?.answer(responses[key]);
    // A partial answer: what tasks/get lists next is only what is still outstanding.
    if (live.pending.size && live.pending.size < before) {
      await this.#set(
        taskId,
        { inputRequests: Object.fromEntries([...live.pending].map(([k, v]) => [k, v.request])) },
        ['input_required'],
      );
    }
  }

  /** A signal another instance sent for a task running here (see TaskCoordinator). */
  #signal(taskId: string, signal: TaskSignal): void {
    const live = this.#live.get(taskId);
    if (!live) return;
    if (signal.type === 'cancel') return this.#abort(taskId, 'Task cancelled');
    if (isObject(signal.responses))
      this.#answer(taskId, live, signal.responses).catch((e: unknown) => this.#background(e));
  }

  /** A task as stored, with a dead instance's live task turned failed first (see TaskCoordinator.orphans). */
  async #read(taskId: string): Promise<TaskRecord | undefined> {
    const t = await this.#store.get(taskId);
    return t && (await this.#settleOrphans([t]))[0];
  }

  /** Live tasks whose running instance is gone end failed (compare-and-set: a task that just finished keeps its status). */
  async #settleOrphans(tasks: TaskRecord[]): Promise<TaskRecord[]> {
    const c = this.#coordinator;
    const candidates = tasks.filter((t) => LIVE_STATUSES.includes(t.status) && !this.#live.has(t.taskId));
    if (!c || !candidates.length) return tasks;
    const dead = await c.orphans(candidates.map((t) => t.taskId));
    if (!dead.size) return tasks;
    const error = { code: ErrorCode.InternalError, message: 'Task failed: the instance running this task stopped' };
    return Promise.all(
      tasks.map(async (t) => {
        if (!dead.has(t.taskId)) return t;
        const failed = await this.#set(t.taskId, { status: 'failed', error, inputRequests: undefined });
        return failed ?? (await this.#store.get(t.taskId)) ?? t;
      }),
    );
  }

  /** A failure of background work (no request to answer): to the server's onerror, never an unhandled rejection. */
  #background(e: unknown): void {
    this.#server.unexpected(e, { jsonrpc: '2.0', id: 'task', method: 'tasks/background' });
  }

  #abort(taskId: string, why: string): void {
    this.#live.get(taskId)?.controller.abort(new McpError(ErrorCode.InternalError, why));
  }

  /** The lifetime a task gets: the request's if valid, else the default; never above `maxTtlMs`. */
  #ttl(requested: number | undefined): number {
    const ttl = requested !== undefined && Number.isFinite(requested) && requested >= 0 ? requested : this.#ttlMs;
    return Math.min(ttl, this.#maxTtlMs);
  }

  /** Number of tasks whose work is running in this process (an inspection point for tests and metrics). */
  get running(): number {
    return this.#live.size;
  }

  /**
   * Start `run` as a task and answer with the CreateTaskResult, once the task is visible to tasks/get.
   * Inside `run`, the given context asks for input through the task (status input_required).
   */
  async start(
    base: RequestContext,
    run: (ctx: RequestContext) => Promise<JsonObject>,
    options: { ttlMs?: number; input?: (r: InputRequests) => Promise<InputResponses> } = {},
  ): Promise<JsonObject> {
    return { resultType: 'task', ...wire(await this.#begin(base, run, options), false) };
  }

  async #begin(
    base: RequestContext,
    run: (ctx: RequestContext) => Promise<JsonObject>,
    options: { ttlMs?: number; input?: (r: InputRequests) => Promise<InputResponses>; experimental?: boolean },
  ): Promise<TaskRecord> {
    const owner: Owner = ownerOf(this.#server, base);
    const bucket = bucketOf(owner);
    const count = this.#buckets.get(bucket) ?? 0;
    if (count >= this.#maxPerPrincipal) {
      throw new McpError(
        ErrorCode.InternalError,
        `Too many tasks: at most ${this.#maxPerPrincipal} unfinished tasks per principal (maxTasksPerPrincipal)`,
        { limit: 'maxTasksPerPrincipal', max: this.#maxPerPrincipal },
      );
    }
    // Counted before the store is awaited, so concurrent creations cannot all pass the check.
    this.#buckets.set(bucket, count + 1);
    const taskId = randomId();
    const now = new Date().toISOString();
    const record: TaskRecord = {
      taskId,
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: this.#ttl(options.ttlMs),
      pollIntervalMs: this.#poll,
      ...owner,
    };
    if (options.experimental) record.experimental = true;
    try {
      // The lease is held before the task is visible, so no instance ever sees it live without an owner.
      await this.#coordinator?.claim(taskId, (signal) => this.#signal(taskId, signal));
      try {
        await this.#store.create(record, { maxPerOwner: this.#maxPerPrincipal });
      } catch (e) {
        await this.#coordinator?.release(taskId).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      this.#release(bucket);
      throw e;
    }
    const live: Live = { controller: new AbortController(), pending: new Map(), bucket, timer: undefined };
    this.#live.set(taskId, live);
    this.#expireAt(taskId, live, Date.parse(now) + record.ttlMs!);
    const ctx = createContext({
      requestId: base.requestId,
      method: base.method,
      signal: live.controller.signal,
      era: base.era,
      protocolVersion: base.protocolVersion,
      clientCapabilities: base.clientCapabilities,
      clientInfo: base.clientInfo,
      meta: base.meta,
      identity: base.identity,
      // Progress and logs are request-scoped; a task's request has already been answered.
      backend: {
        channel: { notify: async () => {} },
        logLevel: undefined,
        loggingEnabled: false,
        input: options.input ?? ((r) => this.#ask(taskId, live, r)),
      },
    });
    void this.#run(taskId, live, ctx, run);
    return record;
  }

  /** When a running task's lifetime ends, its work is aborted and the task removed. */
  #expireAt(taskId: string, live: Live, deadline: number): void {
    const left = deadline - Date.now();
    const fire = () => {
      if (this.#live.get(taskId) !== live) return;
      if (Date.now() < deadline) return this.#expireAt(taskId, live, deadline);
      this.#abort(taskId, 'Task expired');
      this.#store.delete(taskId).catch((e: unknown) => this.#background(e));
    };
    live.timer = setTimeout(fire, Math.max(0, Math.min(left, MAX_TIMER)));
    (live.timer as { unref?: () => void }).unref?.();
  }

  #release(bucket: string): void {
    const n = (this.#buckets.get(bucket) ?? 1) - 1;
    if (n > 0) this.#buckets.set(bucket, n);
    else this.#buckets.delete(bucket);
  }

  async #run(
    taskId: string,
    live: Live,
    ctx: RequestContext,
    run: (ctx: RequestContext) => Promise<JsonObject>,
  ): Promise<void> {
    let patch: Partial<TaskRecord>;
    try {
      const result = await run(ctx);
      patch = { status: 'completed', result: { ...result, resultType: 'complete' } };
    } catch (e) {
      if (!(e instanceof McpError))
        this.#server.unexpected(e, { jsonrpc: '2.0', id: ctx.requestId, method: ctx.method });
      patch = {
        status: 'failed',
        error: e instanceof McpError ? e.toJSON() : { code: ErrorCode.InternalError, message: 'Internal error' },
      };
    } finally {
      this.#live.delete(taskId);
      clearTimeout(live.timer);
      this.#release(live.bucket);
    }
    try {
      if (live.controller.signal.aborted) return; // cancelled or removed: the status is final or gone
      await this.#set(taskId, { ...patch, inputRequests: undefined }).catch(async (e: unknown) => {
        // Refused by the store (a result over its size bound): the task still ends, failed with that error.
        if (!(e instanceof McpError) || e.httpStatus) throw e;
        await this.#set(taskId, { status: 'failed', error: e.toJSON(), result: undefined, inputRequests: undefined });
      });
    } catch (e) {
      // The store is unreachable: the status stays live; with a coordinator the lease runs out and another
      // instance ends the task failed.
      this.#background(e);
    } finally {
      this.#coordinator?.release(taskId).catch((e: unknown) => this.#background(e));
    }
  }

  /** Ask through the task: status input_required until every key of this round is answered. */
  async #ask(taskId: string, live: Live, requests: InputRequests): Promise<InputResponses> {
    const out: InputResponses = {};
    const answered = Object.keys(requests).map(
      (key) =>
        new Promise<void>((resolve) => {
          const request = requests[key]! as unknown as JsonObject;
          live.pending.set(key, {
            request,
            answer: (response) => {
              if (!isValidInputResponse(String(request.method), response)) return; // malformed: still outstanding
              live.pending.delete(key);
              out[key] = response as InputResponses[string];
              resolve();
            },
          });
        }),
    );
    await this.#set(taskId, {
      status: 'input_required',
      inputRequests: Object.fromEntries([...live.pending].map(([k, v]) => [k, v.request])),
    });
    const signal = live.controller.signal;
    // Cancelled while the status was being written: the abort event has already fired.
    if (signal.aborted) throw signal.reason;
    await Promise.race([
      Promise.all(answered),
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]);
    if (live.pending.size === 0)
      await this.#set(taskId, { status: 'working', inputRequests: undefined }, ['input_required']);
    return out;
  }
}
