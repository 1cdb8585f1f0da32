// Where task state lives. The in-memory store is the embedded default; a durable one (Redis, SQL)
// implements the same interface so any instance can answer tasks/get.
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
  /** Who created it (checked on every tasks/* request when set). */
  principal?: string;
}

export interface TaskStore {
  /** Store a new task; resolves once it is visible to `get` (the spec requires this before answering). */
  create(task: TaskRecord): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Replace a task's state; resolves to false if it no longer exists. */
  put(task: TaskRecord): Promise<boolean>;
  delete(taskId: string): Promise<void>;
  /** Every live task (used by the deprecated experimental `tasks/list` only). */
  list?(): Promise<TaskRecord[]>;
}

/** Process-local store, bounded in size; expired tasks are dropped on access and on insert. */
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
    while (this.#tasks.size >= this.#max) this.#tasks.delete(this.#tasks.keys().next().value!);
    this.#tasks.set(task.taskId, { ...task });
  }
  async get(taskId: string): Promise<TaskRecord | undefined> {
    const t = this.#tasks.get(taskId);
    if (t && this.#expired(t)) {
      this.#tasks.delete(taskId);
      return undefined;
    }
    return t && { ...t };
  }
  async put(task: TaskRecord): Promise<boolean> {
    if (!this.#tasks.has(task.taskId)) return false;
    this.#tasks.set(task.taskId, { ...task });
    return true;
  }
  async delete(taskId: string): Promise<void> {
    this.#tasks.delete(taskId);
  }
  async list(): Promise<TaskRecord[]> {
    return [...this.#tasks.values()].filter((t) => !this.#expired(t)).map((t) => ({ ...t }));
  }
  get size(): number {
    return this.#tasks.size;
  }
}
