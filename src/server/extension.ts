// The server side of the extension seam: what an extension (a built-in one, or your own) may add to an
// McpServer without editing the core. See docs/extensions.md.
import type { JsonObject } from '../protocol/jsonrpc.js';
import type { LegacyVersion } from '../protocol/versions.js';
import type { Tool } from '../protocol/types.js';
import type { RequestContext } from './context.js';
import type { LegacySession, PrincipalContext, RequestHandler, Server } from './server.js';

/**
 * An extension of the server: its id, the settings it advertises in `capabilities.extensions[id]`,
 * and `install`, called once by `new McpServer(info, { extensions: [...] })`.
 * @example
 * const echo: ServerExtension = { id: 'com.example/echo', install: (host) => host.setRequestHandler('echo/say', (p) => ({ said: p.text ?? '' })) };
 */
export interface ServerExtension {
  /** Reverse-DNS id, e.g. `com.example/echo-ui`: the key in `capabilities.extensions` and in tools' `extensions`. */
  readonly id: string;
  /** What goes into `capabilities.extensions[id]` (`server/discover`, `initialize`). Default `{}`. */
  readonly settings?: JsonObject;
  install(host: ExtensionHost): void;
}

/** Which wire a request method an extension adds exists on. */
export type MethodEra = 'both' | 'modern' | 'legacy';

/** What `install` receives: the places an extension hooks into. */
export interface ExtensionHost {
  /** The low-level server (publish events, principal of a request, report unexpected errors). */
  readonly server: Server;
  /** Add a request method. `era`: the wires it exists on (others answer -32601). Default `both`. */
  setRequestHandler(method: string, handler: RequestHandler, options?: { era?: MethodEra }): void;
  /** Hooks around every `tools/call` and `tools/list` (run in installation order, outermost first). */
  addToolHooks(hooks: ToolHooks): void;
  /** A key of the `subscriptions/listen` filter this extension serves (e.g. ids of things to follow). */
  addListenFilter(key: string, filter: ListenFilter): void;
  /** Extra top-level capabilities a legacy session's `initialize` result gets (revision-specific fields). */
  addLegacyCapabilities(contribute: (version: LegacyVersion) => JsonObject | undefined): void;
  /** A `resultType` this extension produces, and the only methods whose handlers may return it. */
  declareResultType(resultType: string, methods: readonly string[]): void;
  /** Be told when a legacy session ends (drop state bound to it). Returns an unsubscribe. */
  onLegacySessionEnd(listener: (session: LegacySession) => void): () => void;
}

/** One `tools/call` as extension hooks see it. */
export interface ToolCall {
  readonly name: string;
  readonly params: JsonObject;
  readonly ctx: RequestContext;
  /** This extension's per-tool configuration (`ToolConfig.extensions[id]`), if the tool has one. */
  readonly config: unknown;
}

/** Runs the rest of the call (validation already done): the tool's handler and result shaping. */
export type ToolNext = (ctx: RequestContext) => Promise<JsonObject>;

export interface ToolHooks {
  /** Before arguments are validated: throw to refuse the call (e.g. a client lacking the extension). */
  check?(call: ToolCall): void | Promise<void>;
  /** Around the validated call: call `next` (now or later, with another context) or answer yourself. */
  wrap?(call: ToolCall, next: ToolNext): Promise<JsonObject>;
  /**
   * A handler returned a `ToolHandoff` naming this extension: finish the call its way. `finish` shapes
   * what `handoff.work` returns into the result, as for a plain handler.
   */
  handoff?(
    call: ToolCall,
    handoff: ToolHandoff,
    finish: (ctx: RequestContext, returned: unknown) => Promise<JsonObject>,
  ): Promise<JsonObject>;
  /** How the tool appears in this request's `tools/list` (add fields for revisions or clients). */
  list?(tool: Tool, config: unknown, ctx: RequestContext): Tool;
}

/** A handler's way to pass the rest of a call to an extension (e.g. to continue it in the background). */
export class ToolHandoff {
  constructor(
    /** The id of the extension that finishes the call. */
    readonly extension: string,
    /** The rest of the work, run by the extension with the context it chooses. */
    readonly work: (ctx: RequestContext) => unknown,
  ) {}
}

/** A `subscriptions/listen` filter key served by an extension. */
export interface ListenFilter {
  /** The extension the client must declare to use the key (-32021 otherwise). */
  readonly extension: string;
  /** Keep the values this caller may follow (others are left out of the acknowledged filter). */
  authorize(values: readonly string[], ctx: PrincipalContext): Promise<string[]>;
}
