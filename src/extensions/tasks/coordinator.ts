// The seam for tasks shared by several instances: the work of a task runs on the instance that created
// it; a cancel or an input answer arriving elsewhere is sent there, and an instance that dies stops
// holding its tasks' leases so others can end them `failed`. Without a coordinator (the default) all of
// this stays inside one process, as before.
import type { JsonObject } from '../../protocol/jsonrpc.js';

/** What another instance sends to the one running a task. */
export type TaskSignal = { type: 'cancel' } | { type: 'input'; responses: JsonObject };

export interface TaskCoordinator {
  /**
   * This instance is about to run `taskId` (called before the task is stored): hold its lease, renewed
   * by a timer while the work runs, and hand signals sent from any instance to `deliver`.
   */
  claim(taskId: string, deliver: (signal: TaskSignal) => void): Promise<void>;
  /** The work has ended (its last status written, or it was removed): drop the lease and the delivery. */
  release(taskId: string): Promise<void>;
  /** Send a signal to whichever instance runs the task (nothing happens when none does). */
  send(taskId: string, signal: TaskSignal): Promise<void>;
  /** Of these tasks (live in the store, not running here), those whose running instance is gone. */
  orphans(taskIds: string[]): Promise<Set<string>>;
  /**
   * Optional: hands `found`, now and then, ids of live tasks (fleet-wide) whose running instance is gone,
   * so they end `failed` even when no client reads them (a listen stream then hears it). Returns a stop function.
   */
  watchOrphans?(found: (taskIds: string[]) => void): () => void;
}
