// tsmcp/client's Client: the core Client plus the built-in extension's options as sugar (`tasks`,
// `resumeTask`), kept so code written before the extension API still runs.
import {
  Client as CoreClient,
  type CallOptions,
  type ClientOptions as CoreClientOptions,
} from '../../client/client.js';
import type { JsonObject } from '../../protocol/jsonrpc.js';
import type { CallToolResult, Implementation } from '../../protocol/types.js';
import { tasksClient, type TasksClientExtension } from './client.js';

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export interface ClientOptions extends CoreClientOptions {
  /**
   * Take part in the io.modelcontextprotocol/tasks extension (2026-07-28): a tool call the server turns
   * into a task is followed (polling at the server's interval, input answered through the handlers)
   * and resolves with the final result. `onstatus` sees every status it observes.
   * The same as `extensions: [tasksClient(options)]` from tsmcp/tasks.
   */
  tasks?: boolean | { onstatus?: (task: JsonObject) => void };
}

/** An MCP client for one server connection. The `tasks` option follows the tasks extension's results. */
export class Client extends CoreClient {
  constructor(info: Implementation, options: ClientOptions = {}) {
    const { tasks, ...rest } = options;
    const given = rest.extensions ?? [];
    // Always present (as before the extension API): resumeTask and 2025-11-25 raw task results work without `tasks`.
    const builtIn = given.some((e) => e.id === TASKS_EXTENSION)
      ? []
      : [tasksClient(tasks ? { ...(tasks === true ? {} : tasks) } : { follow: false })];
    super(info, { ...rest, extensions: [...given, ...builtIn] });
  }

  /** Pick up a task by id (e.g. after a restart) and follow it to its result. */
  resumeTask(taskId: string, options: CallOptions = {}): Promise<CallToolResult> {
    return this.extension<TasksClientExtension>(TASKS_EXTENSION)!.resume(taskId, options);
  }
}
