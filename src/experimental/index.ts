/**
 * tsmcp/experimental: 2025-11-25's experimental tasks for peers that still use them. Deprecated: the
 * 2026-07-28 revision replaced them with the io.modelcontextprotocol/tasks extension.
 * @module tsmcp/experimental
 */
import type { Client, CallOptions } from '../client/client.js';
import { deprecate } from '../deprecation.js';
import { TsmcpError } from '../protocol/errors.js';
import { isObject, type JsonObject } from '../protocol/jsonrpc.js';
import type { CallToolResult } from '../protocol/types.js';
import { TASKS_EXTENSION } from '../extensions/tasks/manager.js';
import type { TasksExtension } from '../extensions/tasks/server.js';
import type { McpServer } from '../server/mcp-server.js';

const MIGRATE =
  'use the io.modelcontextprotocol/tasks extension (McpServer({ tasks }), Client({ tasks })); see docs/migration/experimental-tasks-to-extension.md.';

/**
 * @deprecated Experimental tasks were removed from MCP in 2026-07-28. Use the tasks extension.
 * Serve 2025-11-25 sessions that send `params.task`: tools registered with `task` run as tasks, with
 * `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel`. The server needs the `tasks` option.
 */
export function enableExperimentalTasks(server: McpServer): void {
  deprecate('TSMCP_DEP002', `Experimental (2025-11-25) tasks are deprecated; ${MIGRATE}`);
  const manager = server.extension<TasksExtension>(TASKS_EXTENSION)?.manager;
  if (!manager) throw new TsmcpError('TSMCP_INVALID_DEFINITION', 'Create the McpServer with the tasks option first');
  manager.enableExperimental();
}

/**
 * @deprecated Experimental tasks were removed from MCP in 2026-07-28. Use `Client({ tasks })`.
 * Call a tool as a 2025-11-25 task (`params.task`), poll `tasks/get`, and return `tasks/result`.
 */
export async function callToolAsExperimentalTask(
  client: Client,
  name: string,
  args: JsonObject = {},
  options: CallOptions & { ttl?: number } = {},
): Promise<CallToolResult> {
  deprecate('TSMCP_DEP002', `Experimental (2025-11-25) tasks are deprecated; ${MIGRATE}`);
  const { ttl, ...call } = options;
  const created = await client.request(
    'tools/call',
    { name, arguments: args, task: ttl === undefined ? {} : { ttl } },
    call,
  );
  if (!isObject(created.task)) return created as unknown as CallToolResult; // the server ran it synchronously
  const taskId = String(created.task.taskId);
  let task = created.task;
  while (!['completed', 'failed', 'cancelled'].includes(String(task.status))) {
    if (call.signal?.aborted) {
      await client.request('tasks/cancel', { taskId }).catch(() => undefined);
      throw new TsmcpError('TSMCP_CANCELLED', `Task ${taskId} cancelled by the caller`);
    }
    await new Promise((r) => setTimeout(r, typeof task.pollInterval === 'number' ? task.pollInterval : 500));
    task = await client.request('tasks/get', { taskId });
  }
  if (task.status === 'cancelled') throw new TsmcpError('TSMCP_CANCELLED', `Task ${taskId} was cancelled`);
  // tasks/result answers exactly as the original call would have (a JSON-RPC error arrives as McpError).
  return (await client.request('tasks/result', { taskId }, call)) as unknown as CallToolResult;
}
