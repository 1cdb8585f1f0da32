// The tasks extension as a ServerExtension: which tool calls become tasks (the tool's `task` mode),
// `runAsTask`, and the 2025-11-25 experimental forms, all through the McpServer tool hooks.
import { ErrorCode, McpError } from '../../protocol/errors.js';
import type { RequestContext } from '../../server/context.js';
import { ToolHandoff, type ServerExtension, type ToolHooks } from '../../server/extension.js';
import type { ToolReturn } from '../../server/mcp-server.js';
import { TASKS_EXTENSION, TaskManager, type TasksOptions } from './manager.js';

/**
 * How a tool runs as a task: `optional` when the client declared the extension on the request;
 * `always` (others get -32021); `on-demand`: requires the extension, and the handler decides when to
 * continue as a task by returning `runAsTask(work)`. Set it with `extensions: { [TASKS_EXTENSION]: mode }`
 * or the `task` sugar of `tsmcp/server`'s `registerTool`.
 */
export type TaskMode = 'always' | 'optional' | 'on-demand';

/** Returned by a tool handler to continue the call as a task; see `runAsTask`. */
export class TaskEscalation extends ToolHandoff {
  declare readonly work: (ctx: RequestContext) => Promise<ToolReturn> | ToolReturn;
  constructor(work: (ctx: RequestContext) => Promise<ToolReturn> | ToolReturn) {
    super(TASKS_EXTENSION, work);
  }
}

/**
 * Continue this tool call as a task (tasks extension): return `runAsTask(work)` from a handler, e.g.
 * after gathering input synchronously. `work` runs in the background with a context whose input
 * requests go through the task.
 * @example return runAsTask(async (ctx) => ({ content: [{ type: 'text', text: await longJob() }] }));
 */
export function runAsTask(work: (ctx: RequestContext) => Promise<ToolReturn> | ToolReturn): TaskEscalation {
  return new TaskEscalation(async (ctx) => work(ctx));
}

/** The tasks ServerExtension; `manager` is set once installed. */
export interface TasksExtension extends ServerExtension {
  readonly manager: TaskManager | undefined;
}

/**
 * The io.modelcontextprotocol/tasks extension for `McpServer({ extensions: [tasks()] })` (the same as
 * the `tasks` option of `tsmcp/server`'s McpServer).
 */
export function tasks(options: TasksOptions = {}): TasksExtension {
  let manager: TaskManager | undefined;
  return {
    id: TASKS_EXTENSION,
    get manager() {
      return manager;
    },
    install(host) {
      manager = new TaskManager(host.server, options);
      host.addToolHooks(taskHooks(manager));
    },
  };
}

function modeOf(config: unknown): TaskMode | undefined {
  return config === 'always' || config === 'optional' || config === 'on-demand' ? config : undefined;
}

/** Which calls become tasks: the tool's mode, the client's declaration, and 2025-11-25 `params.task`. */
function taskHooks(tasks: TaskManager): ToolHooks {
  return {
    check({ name, params, ctx, config }) {
      const mode = modeOf(config);
      const legacy = ctx.era === 'legacy';
      // A tool that can only run as a task refuses clients without the extension before anything runs.
      if (!legacy && !tasks.declared(ctx) && (mode === 'always' || mode === 'on-demand')) throw tasks.required();
      if (legacy && mode === 'always' && tasks.experimentalSupport(ctx) && !tasks.experimentalRequested(ctx, params)) {
        throw new McpError(ErrorCode.MethodNotFound, `Tool ${name} must be called as a task (params.task)`);
      }
    },
    wrap({ params, ctx, config }, next) {
      const mode = modeOf(config);
      // 2025-11-25 experimental tasks (deprecated; tsmcp/experimental turns them on).
      if (ctx.era === 'legacy' && mode && mode !== 'on-demand' && tasks.experimentalRequested(ctx, params))
        return tasks.startExperimental(ctx, params, next);
      if (tasks.declared(ctx) && (mode === 'always' || mode === 'optional')) return tasks.start(ctx, next);
      return next(ctx);
    },
    handoff({ ctx }, handoff, finish) {
      if (!tasks.declared(ctx)) throw tasks.required();
      return tasks.start(ctx, async (tctx) => finish(tctx, await handoff.work(tctx)));
    },
    list(tool, config, ctx) {
      const mode = modeOf(config);
      if (!mode || mode === 'on-demand' || !tasks.experimentalSupport(ctx)) return tool;
      return { ...tool, execution: { taskSupport: mode === 'always' ? 'required' : 'optional' } };
    },
  };
}
