// Where task state lives. The in-memory store is the embedded default; a durable one (Redis, SQL)
// implements the same interface so any instance can answer tasks/get.
import { ErrorCode, McpError } from '../../protocol/errors.js';
import type { JsonObject } from '../../protocol/jsonrpc.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A task as the extension's wire types describe it, plus what its status carries. */
export interface TaskRecord {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** Lifetime from creation, ms (null: unlimited). */
  ttlMs: number | null;
  pollIntervalMs?: number;
  /** Outstanding input requests while `input_required`. */
  inputRequests?: JsonObject;
  /** The tool's result once `completed`. */
  result?: JsonObject;
  /** The JSON-RPC error once `failed`. */
  error?: { code: number; message: string; data?: unknown };
  /** The principal that created it (checked on every tasks/* request). */
  principal?: string;
  /** With no principal, the legacy session that created it (opaque key): only that session sees it. */
  session?: string;
  /** Created through 2025-11-25's `params.task` (deprecated experimental tasks). */
  experimental?: boolean;
}

/** The statuses a task can still leave; terminal ones (completed, failed, cancelled) are write-once. */
export const LIVE_STATUSES: readonly TaskStatus[] = ['working', 'input_required'];

/**
 * Where tasks live. Every change after `create` goes through `update`, a compare-and-set on the status,
 * so that a task's terminal status is written once even when instances race (cancel vs completion).
 */
export interface TaskStore {
  /**
   * Store a new task; resolves once it is visible to `get` (the spec requires this before answering).
   * A bounded store may drop expired or terminal tasks to make room, never a live one: when it is full
   * of live tasks it rejects (an McpError reaches the client as it is).
   * `maxPerOwner`: the manager's `maxTasksPerPrincipal`; a store shared by several instances counts the
   * owner's live tasks itself and rejects one more (`data.limit` "maxTasksPerPrincipal"), so the bound
   * holds across the fleet. A process-local store may ignore it (the manager counts in process).
   */
  create(task: TaskRecord, options?: { maxPerOwner?: number }): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Atomically apply `patch` (a key whose value is undefined is removed) if the task exists and its
   * current status is one of `ifStatus`. Resolves to the task as stored, or undefined when nothing was
   * written (gone, or another writer changed the status first).
   */
  update(
    taskId: string,
    patch: Partial<TaskRecord>,
    options: { ifStatus: readonly TaskStatus[] },
  ): Promise<TaskRecord | undefined>;
  delete(taskId: string): Promise<void>;
  /** Every unexpired task (used by the deprecated experimental `tasks/list` only). */
  list?(): Promise<TaskRecord[]>;
}

/**
 * Process-local store, bounded in size (`maxTasks`, default 10 000). Expired tasks are dropped on access
 * and on insert; when full, the oldest terminal task makes room, and with only live tasks left `create`
 * rejects with -32603 instead of dropping someone's running task.
 */
export class InMemoryTaskStore implements TaskStore {
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #max: number;
  constructor(options: { maxTasks?: number } = {}) {
    this.#max = options.maxTasks ?? 10_000;
  }
  #expired(t: TaskRecord): boolean {
    return t.ttlMs !== null && Date.parse(t.createdAt) + t.ttlMs < Date.now();
  }
  async create(task: TaskRecord): Promise<void> {
    for (const [id, t] of this.#tasks) if (this.#expired(t)) this.#tasks.delete(id);
    if (this.#tasks.size >= this.#max) {
      // Insertion order: the first terminal one found is the oldest.
      for (const [id, t] of this.#tasks) {
        if (LIVE_STATUSES.includes(t.status)) continue;
        this.#tasks.delete(id);
        break;
      }
      if (this.#tasks.size >= this.#max) {
        throw new McpError(
          ErrorCode.InternalError,
          `Too many tasks: the task store holds ${this.#max} unfinished tasks (InMemoryTaskStore maxTasks)`,
          { limit: 'maxTasks', max: this.#max },
        );
      }
    }
    this.#tasks.set(task.taskId, { ...task });
  }
  async get(taskId: string): Promise<TaskRecord | undefined> {
    const t = this.#live(taskId);
    return t && { ...t };
  }
  async update(
    taskId: string,
    patch: Partial<TaskRecord>,
    options: { ifStatus: readonly TaskStatus[] },
  ): Promise<TaskRecord | undefined> {
    const t = this.#live(taskId);
    if (!t || !options.ifStatus.includes(t.status)) return undefined;
    const next: TaskRecord = { ...t, ...patch };
    for (const k of Object.keys(patch) as (keyof TaskRecord)[]) if (patch[k] === undefined) delete next[k];
    this.#tasks.set(taskId, next);
    return { ...next };
  }
  async delete(taskId: string): Promise<void> {
    this.#tasks.delete(taskId);
  }
  async list(): Promise<TaskRecord[]> {
    return [...this.#tasks.values()].filter((t) => !this.#expired(t)).map((t) => ({ ...t }));
  }
  /** Number of tasks held (expired ones included until they are next touched). */
  get size(): number {
    return this.#tasks.size;
  }
  #live(taskId: string): TaskRecord | undefined {
    const t = this.#tasks.get(taskId);
    if (t && this.#expired(t)) {
      this.#tasks.delete(taskId);
      return undefined;
    }
    return t;
  }
}
