// Client side of the tasks extension: declare it, follow a `resultType: 'task'` answer to tools/call
// (poll tasks/get, answer input through tasks/update, cancel when the caller aborts), resume by id.
import type { CallOptions, Client } from '../../client/client.js';
import type { ClientExtension, ClientExtensionHost } from '../../client/extension.js';
import { ErrorCode, McpError, TsmcpError } from '../../protocol/errors.js';
import { isObject, type JsonObject } from '../../protocol/jsonrpc.js';
import type { CallToolResult, InputRequests } from '../../protocol/types.js';

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export interface TasksClientOptions {
  /** Sees every status the client observes while following a task. */
  onstatus?: (task: JsonObject) => void;
  /**
   * Declare the extension and follow task results of tools/call. Default true; `false` keeps only
   * `resume` (what `Client` without the `tasks` option does) and the 2025-11-25 raw task results.
   */
  follow?: boolean;
}

/** The tasks ClientExtension; `resume` follows a task by id once installed. */
export interface TasksClientExtension extends ClientExtension {
  resume(taskId: string, options?: CallOptions): Promise<CallToolResult>;
}

/**
 * The io.modelcontextprotocol/tasks extension for `new Client(info, { extensions: [tasksClient()] })`
 * (the same as the `tasks` option of `tsmcp/client`'s Client).
 */
export function tasksClient(options: TasksClientOptions = {}): TasksClientExtension {
  let host: ClientExtensionHost | undefined;
  const follow = (created: JsonObject, call: CallOptions) => followTask(host!, created, call, options.onstatus);
  return {
    id: TASKS_EXTENSION,
    install(h) {
      host = h;
      // 2025-11-25 experimental task-augmented calls answer with a CreateTaskResult, read by tsmcp/experimental.
      h.passLegacyResult((method, params) => method === 'tools/call' && isObject(params.task));
      if (options.follow === false) return;
      h.declareCapability();
      h.followResultType('task', ['tools/call'], (result, c) => follow(result, c.options));
    },
    async resume(taskId, call = {}) {
      if (!host) throw new TsmcpError('TSMCP_NOT_CONNECTED', 'Install the tasks extension on a Client first');
      const task = await host.client.request('tasks/get', { taskId }, { noCache: true });
      return (await follow(task, call)) as unknown as CallToolResult;
    },
  };
}

/** Follow a task to its end: poll, answer input, cancel when the caller aborts. */
async function followTask(
  host: ClientExtensionHost,
  created: JsonObject,
  options: CallOptions,
  onstatus: ((task: JsonObject) => void) | undefined,
): Promise<JsonObject> {
  const client: Client = host.client;
  const taskId = String(created.taskId);
  const signal = options.signal;
  // Follow-up requests act for the same caller (the same extra _meta) as the call that made the task.
  const same: CallOptions = options.meta ? { meta: options.meta } : {};
  const onAbort = () => void client.request('tasks/cancel', { taskId }, same).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const answered = new Set<string>();
  try {
    let task = created;
    for (;;) {
      onstatus?.(task);
      if (signal?.aborted) throw new TsmcpError('TSMCP_CANCELLED', `Task ${taskId} cancelled by the caller`);
      switch (task.status) {
        case 'completed':
          if (!isObject(task.result))
            throw new TsmcpError('TSMCP_INVALID_RESPONSE', `Task ${taskId} completed without a result`);
          return host.check('tools/call', task.result);
        case 'failed': {
          const e = (task.error ?? {}) as { code?: number; message?: string; data?: unknown };
          throw new McpError(e.code ?? ErrorCode.InternalError, e.message ?? 'Task failed', e.data);
        }
        case 'cancelled':
          throw new TsmcpError('TSMCP_CANCELLED', `Task ${taskId} was cancelled`);
      }
      if (task.status === 'input_required' && isObject(task.inputRequests)) {
        // Keys are unique for a task's whole life: answer each once, however often it is listed.
        const fresh: InputRequests = {};
        for (const [k, v] of Object.entries(task.inputRequests))
          if (!answered.has(k)) fresh[k] = v as InputRequests[string];
        if (Object.keys(fresh).length) {
          const inputResponses = await host.answer(fresh, signal);
          for (const k of Object.keys(fresh)) answered.add(k);
          await client.request(
            'tasks/update',
            { taskId, inputResponses: inputResponses as unknown as JsonObject },
            same,
          );
        }
      }
      const wait = typeof task.pollIntervalMs === 'number' && task.pollIntervalMs > 0 ? task.pollIntervalMs : 500;
      await new Promise<void>((resolve) => {
        // One listener per wait, removed when the wait ends (a long task polls many times).
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, wait);
        signal?.addEventListener('abort', done, { once: true });
      });
      if (signal?.aborted) continue;
      task = await client.request('tasks/get', { taskId }, { ...same, noCache: true });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
