// tsmcp/server's McpServer: the core McpServer plus the built-in extension's options as sugar
// (`tasks` on the server, `task` on a tool), kept so code written before the extension API still runs.
import { TsmcpError } from '../../protocol/errors.js';
import type { Implementation } from '../../protocol/types.js';
import type { SchemaInput } from '../../schema/index.js';
import {
  McpServer as CoreMcpServer,
  type McpServerOptions as CoreMcpServerOptions,
  type Registered,
  type ToolConfig as CoreToolConfig,
  type ToolHandler,
} from '../../server/mcp-server.js';
import { TASKS_EXTENSION, type TaskManager, type TasksOptions } from './manager.js';
import { tasks as tasksExtension, type TaskMode, type TasksExtension } from './server.js';

export { TaskEscalation, runAsTask } from './server.js';

export interface McpServerOptions extends CoreMcpServerOptions {
  /** Serve the io.modelcontextprotocol/tasks extension (tools opt in with `task`): `extensions: [tasks(options)]`. */
  tasks?: boolean | TasksOptions;
}

export interface ToolConfig<
  S extends SchemaInput | undefined = SchemaInput | undefined,
  O extends SchemaInput | undefined = SchemaInput | undefined,
> extends CoreToolConfig<S, O> {
  /**
   * Run calls as tasks (tasks extension; needs the server's `tasks` option): `optional` when the client
   * declared the extension on the request; `always` (others get -32021); `on-demand`: requires the
   * extension, and the handler decides when to continue as a task by returning `runAsTask(work)`.
   * Default: never. The same as `extensions: { 'io.modelcontextprotocol/tasks': mode }`.
   */
  task?: TaskMode;
}

/**
 * A ready-made MCP server: register features, then `connect()` a transport (or hand `server` to an
 * HTTP front). One instance serves any number of connections, modern and legacy at once. The `tasks`
 * option and a tool's `task` serve the tasks extension (`tsmcp/tasks`).
 * @example
 * const server = new McpServer({ name: 'weather', version: '1.0.0' });
 * server.registerTool('forecast', { inputSchema: z.object({ city: z.string() }) }, async ({ city }) => ({
 *   content: [{ type: 'text', text: `Sunny in ${city}` }],
 * }));
 * await server.connect(new StdioServerTransport());
 */
export class McpServer extends CoreMcpServer {
  constructor(info: Implementation, options: McpServerOptions = {}) {
    const { tasks, ...rest } = options;
    super(
      info,
      tasks ? { ...rest, extensions: [...(rest.extensions ?? []), tasksExtension(tasks === true ? {} : tasks)] } : rest,
    );
  }

  override registerTool<
    S extends SchemaInput | undefined = undefined,
    const O extends SchemaInput | undefined = undefined,
  >(name: string, config: ToolConfig<S, O>, handler: ToolHandler<S, O>): Registered {
    const { task, ...rest } = config;
    if (!task) return super.registerTool(name, rest, handler);
    if (!this.tasks)
      throw new TsmcpError(
        'TSMCP_INVALID_DEFINITION',
        `Tool ${name} runs as a task; create the McpServer with the tasks option`,
      );
    return super.registerTool(name, { ...rest, extensions: { ...rest.extensions, [TASKS_EXTENSION]: task } }, handler);
  }

  /** The tasks extension's manager, when the server was created with `tasks` (or `extensions: [tasks()]`). */
  get tasks(): TaskManager | undefined {
    return this.extension<TasksExtension>(TASKS_EXTENSION)?.manager;
  }
}
