// Server side of the tasks extension (io.modelcontextprotocol/tasks): a tool call can become a task
// that runs in the background; tasks/get, tasks/update and tasks/cancel follow it; status changes go
// to subscriptions/listen streams that asked for the task's id.
import { ErrorCode, McpError, invalidParams, methodNotFound } from '../../protocol/errors.js';
import { isObject, type JsonObject } from '../../protocol/jsonrpc.js';
import type { ClientCapabilities, InputRequests, InputResponses } from '../../protocol/types.js';
import { createContext, isValidInputResponse, type RequestContext } from '../../server/context.js';
import { TASKS_EXTENSION, type Server } from '../../server/server.js';
import { InMemoryTaskStore, type TaskRecord, type TaskStore } from './store.js';

export { TASKS_EXTENSION };

export interface TasksOptions {
  /** Where task state lives. Default: in memory (one process). */
  store?: TaskStore;
  /** How long a task and its result are kept after creation, ms. Default 1 hour. */
  ttlMs?: number;
  /** Poll interval suggested to clients, ms. Default 500. */
  pollIntervalMs?: number;
}

interface Live {
  controller: AbortController;
  /** Outstanding input requests by key, with the resolver of the round that asked. */
  pending: Map<string, { request: JsonObject; answer(response: unknown): void }>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function declaresTasks(caps: ClientCapabilities): boolean {
  return isObject(caps.extensions) && TASKS_EXTENSION in caps.extensions;
}

function missingExtension(): McpError {
  return new McpError(ErrorCode.MissingRequiredClientCapability, 'This needs the io.modelcontextprotocol/tasks extension', { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
}

/** The wire form of a task (Task / DetailedTask): status-specific fields only where they belong. */
function wire(t: TaskRecord, detailed: boolean): JsonObject {
  const out: JsonObject = { taskId: t.taskId, status: t.status, createdAt: t.createdAt, lastUpdatedAt: t.lastUpdatedAt, ttlMs: t.ttlMs };
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
  const out: JsonObject = { taskId: t.taskId, status: t.status, createdAt: t.createdAt, lastUpdatedAt: t.lastUpdatedAt, ttl: t.ttlMs };
  if (t.pollIntervalMs !== undefined) out.pollInterval = t.pollIntervalMs;
  if (t.statusMessage !== undefined) out.statusMessage = t.statusMessage;
  return out;
}

/** Runs tasks for one Server; install once (McpServer does it when given `tasks`). */
export class TaskManager {
  readonly #server: Server;
  readonly #store: TaskStore;
  readonly #ttlMs: number;
  readonly #poll: number;
  readonly #live = new Map<string, Live>();
  #experimental = false;
  readonly #experimentalIds = new Set<string>();

  constructor(server: Server, options: TasksOptions = {}) {
    this.#server = server;
    this.#store = options.store ?? new InMemoryTaskStore();
    this.#ttlMs = options.ttlMs ?? 60 * 60_000;
    this.#poll = options.pollIntervalMs ?? 500;
    (server.capabilities.extensions ??= {})[TASKS_EXTENSION] = {};
    server.setRequestHandler('tasks/get', async (p, ctx) => {
      if (ctx.era === 'legacy') return legacyWire(await this.#legacyTask(p));
      return { resultType: 'complete', ...wire(await this.#task(p, ctx), true) };
    });
    // 2025-11-25's experimental methods: legacy sessions only, once enabled (removed in 2026-07-28).
    server.setRequestHandler('tasks/result', async (p, ctx) => this.#legacyResult(p, ctx));
    server.setRequestHandler('tasks/list', async (_p, ctx) => {
      if (ctx.era !== 'legacy' || !this.#experimental) throw methodNotFound('tasks/list');
      const all = (await this.#store.list?.()) ?? [];
      return { tasks: all.filter((t) => this.#experimentalIds.has(t.taskId)).map(legacyWire) };
    });
    server.setRequestHandler('tasks/update', async (p, ctx) => {
      const t = await this.#task(p, ctx);
      const live = this.#live.get(t.taskId);
      const responses = p.inputResponses as JsonObject;
      // Answers to keys not outstanding (unknown, answered, superseded) are ignored, as the spec says.
      if (live) {
        const before = live.pending.size;
        for (const key in responses) live.pending.get(key)?.answer(responses[key]);
        // A partial answer: what tasks/get lists next is only what is still outstanding.
        if (live.pending.size && live.pending.size < before) {
          const current = await this.#store.get(t.taskId);
          if (current?.status === 'input_required') await this.#set(current, { inputRequests: Object.fromEntries([...live.pending].map(([k, v]) => [k, v.request])) });
        }
      }
      return { resultType: 'complete' };
    });
    server.setRequestHandler('tasks/cancel', async (p, ctx) => {
      if (ctx.era === 'legacy') {
        const t = await this.#legacyTask(p);
        if (TERMINAL.has(t.status)) throw invalidParams(`Task ${t.taskId} is already ${t.status}`);
        this.#live.get(t.taskId)?.controller.abort(new McpError(ErrorCode.InternalError, 'Task cancelled'));
        await this.#set(t, { status: 'cancelled', inputRequests: undefined });
        return legacyWire((await this.#store.get(t.taskId)) ?? { ...t, status: 'cancelled' });
      }
      const t = await this.#task(p, ctx);
      if (!TERMINAL.has(t.status)) {
        this.#live.get(t.taskId)?.controller.abort(new McpError(ErrorCode.InternalError, 'Task cancelled'));
        await this.#set(t, { status: 'cancelled', inputRequests: undefined });
      }
      return { resultType: 'complete' };
    });
  }

  /** Serve 2025-11-25's experimental tasks to legacy sessions (see tsmcp/experimental). */
  enableExperimental(): void {
    this.#experimental = true;
    this.#server.legacyTasksCapability = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
  }

  /** Whether this (legacy) request asked for an experimental task and may get one. */
  experimentalRequested(ctx: RequestContext, params: JsonObject): boolean {
    return this.#experimental && ctx.era === 'legacy' && ctx.protocolVersion === '2025-11-25' && isObject(params.task);
  }

  /** Tool execution support as 2025-11-25 tools/list shows it, when experimental tasks are on. */
  experimentalSupport(ctx: RequestContext): boolean {
    return this.#experimental && ctx.era === 'legacy' && ctx.protocolVersion === '2025-11-25';
  }

  /** Start an experimental task: input goes through the session's own server→client requests. */
  async startExperimental(base: RequestContext, params: JsonObject, run: (ctx: RequestContext) => Promise<JsonObject>): Promise<JsonObject> {
    const ttl = isObject(params.task) && typeof params.task.ttl === 'number' ? params.task.ttl : undefined;
    const created = await this.start(base, run, { ttlMs: ttl, input: (r) => base.input(r) });
    this.#experimentalIds.add(String(created.taskId));
    const t = await this.#store.get(String(created.taskId));
    return { task: legacyWire(t!) };
  }

  async #legacyTask(p: JsonObject): Promise<TaskRecord> {
    if (!this.#experimental) throw methodNotFound('tasks/get');
    const t = await this.#store.get(String(p.taskId));
    if (!t || !this.#experimentalIds.has(t.taskId)) throw invalidParams(`Unknown task: ${String(p.taskId)}`);
    return t;
  }

  /** tasks/result: wait for the task to end, then answer exactly as the original request would have. */
  async #legacyResult(p: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    if (ctx.era !== 'legacy') throw methodNotFound('tasks/result');
    let t = await this.#legacyTask(p);
    while (!TERMINAL.has(t.status) && !ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, 25));
      t = (await this.#store.get(t.taskId)) ?? { ...t, status: 'failed', error: { code: ErrorCode.InternalError, message: 'Task expired' } };
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
    const t = await this.#store.get(p.taskId as string);
    // Another principal's task is answered exactly like one that does not exist.
    if (!t || t.principal !== this.#server.principal(ctx)) throw invalidParams(`Unknown task: ${String(p.taskId)}`);
    return t;
  }

  async #set(t: TaskRecord, patch: Partial<TaskRecord>): Promise<void> {
    const next: TaskRecord = { ...t, ...patch, lastUpdatedAt: new Date().toISOString() };
    for (const k of Object.keys(patch) as (keyof TaskRecord)[]) if (patch[k] === undefined) delete next[k];
    if (await this.#store.put(next)) void this.#server.publish({ type: 'task', task: wire(next, true) as { taskId: string } });
  }

  /**
   * Start `run` as a task and answer with the CreateTaskResult, once the task is visible to tasks/get.
   * Inside `run`, the given context asks for input through the task (status input_required).
   */
  async start(base: RequestContext, run: (ctx: RequestContext) => Promise<JsonObject>, options: { ttlMs?: number; input?: (r: InputRequests) => Promise<InputResponses> } = {}): Promise<JsonObject> {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    let taskId = '';
    for (const b of bytes) taskId += b.toString(16).padStart(2, '0');
    const now = new Date().toISOString();
    const record: TaskRecord = { taskId, status: 'working', createdAt: now, lastUpdatedAt: now, ttlMs: options.ttlMs ?? this.#ttlMs, pollIntervalMs: this.#poll };
    const principal = this.#server.principal(base);
    if (principal !== undefined) record.principal = principal;
    await this.#store.create(record);
    const live: Live = { controller: new AbortController(), pending: new Map() };
    this.#live.set(taskId, live);
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
      backend: { channel: { notify: async () => {} }, logLevel: undefined, loggingEnabled: false, input: options.input ?? ((r) => this.#ask(taskId, live, r)) },
    });
    void this.#run(taskId, live, ctx, run);
    return { resultType: 'task', ...wire(record, false) };
  }

  async #run(taskId: string, live: Live, ctx: RequestContext, run: (ctx: RequestContext) => Promise<JsonObject>): Promise<void> {
    let patch: Partial<TaskRecord>;
    try {
      const result = await run(ctx);
      patch = { status: 'completed', result: { ...result, resultType: 'complete' } };
    } catch (e) {
      if (!(e instanceof McpError)) this.#server.unexpected(e, { jsonrpc: '2.0', id: ctx.requestId, method: ctx.method });
      patch = { status: 'failed', error: e instanceof McpError ? e.toJSON() : { code: ErrorCode.InternalError, message: 'Internal error' } };
    } finally {
      this.#live.delete(taskId);
    }
    if (live.controller.signal.aborted) return; // cancelled: the status is already final
    const t = await this.#store.get(taskId);
    if (t && !TERMINAL.has(t.status)) await this.#set(t, { ...patch, inputRequests: undefined });
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
    const t = await this.#store.get(taskId);
    if (t) await this.#set(t, { status: 'input_required', inputRequests: Object.fromEntries([...live.pending].map(([k, v]) => [k, v.request])) });
    await Promise.race([Promise.all(answered), new Promise((_, reject) => live.controller.signal.addEventListener('abort', () => reject(live.controller.signal.reason), { once: true }))]);
    const after = await this.#store.get(taskId);
    if (after && after.status === 'input_required' && live.pending.size === 0) await this.#set(after, { status: 'working', inputRequests: undefined });
    return out;
  }
}
