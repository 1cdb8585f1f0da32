// What a request handler sees: who is asking, how to report progress and logs, and one API to ask the
// client for input that works on both eras (multi round-trip on 2026-07-28, real requests before).
import { warnOnce } from '../deprecation.js';
import { encodeInputRequest, hasElicitationComplete, missingClientCapability } from '../protocol/codec.js';
import { ErrorCode, McpError, TsmcpError } from '../protocol/errors.js';
import { supports, type Feature } from '../protocol/features.js';
import type { RequestIdentity } from '../protocol/identity.js';
import { isObject, type JsonObject, type RequestId } from '../protocol/jsonrpc.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  Implementation,
  InputRequest,
  InputRequests,
  InputResponse,
  InputResponses,
  ListRootsResult,
  LoggingLevel,
  Meta,
} from '../protocol/types.js';
import { LOGGING_LEVELS } from '../protocol/types.js';
import type { Era, ProtocolVersion } from '../protocol/versions.js';
import { signalOf, type CancelSignal } from '../engine/cancel.js';

/** What `ctx.elicit()` resolves with: the client's answer, plus the id a URL-mode request carried. */
export type ElicitOutcome = ElicitResult & {
  /**
   * URL mode on 2025-11-25 only: the `elicitationId` sent (yours, or a generated one), for
   * `completeElicitation()`. Absent on revisions without it (2026-07-28) and in form mode.
   */
  elicitationId?: string;
};

/** Options for one input request. */
export interface InputOptions {
  /** Key of the request in `inputRequests`; unique within the request. Default: `<kind>-<n>` by call order. */
  key?: string;
}

/** The per-request context every handler receives. */
export interface RequestContext {
  readonly requestId: RequestId;
  readonly method: string;
  /** Fires when the client cancels the request or goes away. */
  readonly signal: AbortSignal;
  readonly era: Era;
  readonly protocolVersion: ProtocolVersion;
  /** Capabilities the client declared on this request (modern) or at initialize (legacy). */
  readonly clientCapabilities: ClientCapabilities;
  /** Self-asserted client identity; never a security signal. */
  readonly clientInfo: Implementation | undefined;
  /** The request's `_meta`, including `traceparent`/`tracestate` when the client sent them. Client-written. */
  readonly meta: Meta;
  /**
   * Who sent the request as the transport verified it (auth layer, HTTP headers, stdio process). Use this,
   * not `meta` or `clientInfo`, for any decision about who the caller is.
   */
  readonly identity: RequestIdentity;
  /** Report progress if the client asked for it; values must increase (others are dropped). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Log to the client (deprecated feature, kept working): sent only if the client asked for this level
   * (`_meta` logLevel on 2026-07-28, `logging/setLevel` before) and the server declares `logging`.
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /**
   * Ask the user something through the client (form or URL elicitation). URL mode needs the client's
   * `elicitation.url` capability (-32021 otherwise). On 2025-11-25 a URL-mode request carries an
   * `elicitationId`: `params.elicitationId` if given, else a random one; either way it is returned in
   * the outcome. 2026-07-28 has no such id and none is sent.
   */
  elicit(params: ElicitParams, options?: InputOptions): Promise<ElicitOutcome>;
  /**
   * 2025-11-25: tell the client that the out-of-band step of URL-mode elicitation `elicitationId` is done
   * (`notifications/elicitation/complete`), so only the client that was asked hears it: on this request's
   * channel while it runs, afterwards on its session (the stdio connection, the HTTP session's GET stream;
   * keep the function to call it later). Resolves `false` when there is nowhere to send it (connection
   * gone, no GET stream) and on revisions without the notification (2026-07-28: the client retries and
   * the handler sees the new state on that retry).
   */
  completeElicitation(elicitationId: string): Promise<boolean>;
  /** @deprecated Sampling is deprecated since 2026-07-28 (SEP-2577). Ask the client's model for a completion. */
  createMessage(params: CreateMessageParams, options?: InputOptions): Promise<CreateMessageResult>;
  /** @deprecated Roots are deprecated since 2026-07-28 (SEP-2577). Ask the client for its roots. */
  listRoots(options?: InputOptions): Promise<ListRootsResult>;
  /** Ask for several inputs in one round; resolves with every answer by key. */
  input(requests: InputRequests): Promise<InputResponses>;
  /**
   * Legacy Streamable HTTP (2025-11-25, SEP-1699 polling) only: end this request's SSE stream now,
   * asking the client to come back after `retryMs`; it resumes with GET + Last-Event-ID and receives
   * the rest. A no-op on every other transport and revision.
   */
  closeStream(retryMs?: number): void;
}

/** Thrown inside a handler to end this round with an InputRequiredResult (modern era only). */
export class InputRequiredSignal {
  constructor(readonly requests: InputRequests) {}
}

/** Where a context sends things (the carrier's channel), and what the request asked for. */
export interface ContextBackend {
  /** Legacy only: the session, for what may be sent after the request ended (elicitation completion). */
  session?: { notify?: (method: string, params: JsonObject) => Promise<boolean> };
  channel: {
    notify(method: string, params: JsonObject): Promise<void>;
    /** Legacy only: a real server→client request. */
    request?(method: string, params: JsonObject | undefined, signal: AbortSignal): Promise<JsonObject>;
    /** Legacy HTTP only: end the request's SSE stream early (polling). */
    closeStream?(retryMs: number): void;
  };
  /** The log level the client asked for, if any. */
  logLevel: LoggingLevel | undefined;
  loggingEnabled: boolean;
  /** The server does not declare `logging`: the first `log()` of the process warns (TSMCP_LOGGING_NOT_DECLARED). */
  loggingUndeclared?: boolean;
  /** Modern only: answers gathered so far, by key. */
  answers?: { [key: string]: unknown };
  /** Set by an extension that carries input requests its own way (instead of the era's route). */
  input?: (requests: InputRequests) => Promise<InputResponses>;
}

const KIND: { [method: string]: string } = {
  'elicitation/create': 'elicit',
  'sampling/createMessage': 'sample',
  'roots/list': 'roots',
};

/** The revision feature this kind of input request needs (and a name for it), if not every revision has it. */
function featureOf(req: InputRequest): { feature: Feature; what: string } | undefined {
  if (req.method !== 'elicitation/create') return undefined;
  const p = req.params as { mode?: string; requestedSchema?: { properties?: { [k: string]: unknown } } };
  if (p.mode === 'url') return { feature: 'elicitation.url', what: ' (URL mode)' };
  // Multi-select (array) fields came with 2025-11-25 (SEP-1330); 2025-06-18's schema cannot carry them.
  const multi = Object.values(p.requestedSchema?.properties ?? {}).some((f) => isObject(f) && f.type === 'array');
  return multi
    ? { feature: 'elicitation.multiSelect', what: ' with a multi-select field' }
    : { feature: 'elicitation', what: '' };
}

/** Check an answer has the shape its request's method promises. */
export function isValidInputResponse(method: string, v: unknown): v is InputResponse {
  if (!isObject(v)) return false;
  switch (method) {
    case 'elicitation/create':
      return (
        (v.action === 'accept' || v.action === 'decline' || v.action === 'cancel') &&
        (v.content === undefined || isObject(v.content))
      );
    case 'sampling/createMessage':
      return (
        (v.role === 'user' || v.role === 'assistant') &&
        typeof v.model === 'string' &&
        (isObject(v.content) || Array.isArray(v.content))
      );
    case 'roots/list':
      return Array.isArray(v.roots) && v.roots.every((r) => isObject(r) && typeof r.uri === 'string');
  }
  return false;
}

export interface ContextInit {
  requestId: RequestId;
  method: string;
  /** A lazy one builds its AbortSignal only if the handler reads `ctx.signal`. */
  signal: CancelSignal;
  era: Era;
  protocolVersion: ProtocolVersion;
  clientCapabilities: ClientCapabilities;
  clientInfo: Implementation | undefined;
  meta: Meta;
  identity: RequestIdentity;
  backend: ContextBackend;
}

/**
 * The context of one request. A class, so the per-request cost is one object (its methods live on the
 * prototype); the methods are bound on first access, so `const { elicit } = ctx` works too.
 */
class Context implements RequestContext {
  readonly requestId: RequestId;
  readonly method: string;
  readonly era: Era;
  readonly protocolVersion: ProtocolVersion;
  readonly clientCapabilities: ClientCapabilities;
  readonly clientInfo: Implementation | undefined;
  readonly meta: Meta;
  readonly identity: RequestIdentity;
  readonly #backend: ContextBackend;
  readonly #cancel: CancelSignal;
  #lastProgress = -Infinity;
  #done = false;
  #counters: { [kind: string]: number } | undefined;

  constructor(init: ContextInit) {
    this.requestId = init.requestId;
    this.method = init.method;
    this.#cancel = init.signal;
    this.era = init.era;
    this.protocolVersion = init.protocolVersion;
    this.clientCapabilities = init.clientCapabilities;
    this.clientInfo = init.clientInfo;
    this.meta = init.meta;
    this.identity = init.identity;
    this.#backend = init.backend;
  }

  /** Built on first access when the carrier's cancellation is lazy (most handlers never read it). */
  get signal(): AbortSignal {
    return signalOf(this.#cancel);
  }

  finish(): void {
    this.#done = true;
  }

  /** The backend's session of a context this module built (undefined for any other object). */
  static sessionOf(ctx: unknown): ContextBackend['session'] {
    return ctx instanceof Context ? ctx.#backend.session : undefined;
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const token = this.meta.progressToken;
    if (this.#done || token === undefined || this.#cancel.aborted || !(progress > this.#lastProgress)) return;
    this.#lastProgress = progress;
    const params: JsonObject = { progressToken: token, progress };
    if (total !== undefined) params.total = total;
    if (message !== undefined) params.message = message;
    await this.#backend.channel.notify('notifications/progress', params);
  }

  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    const b = this.#backend;
    if (b.loggingUndeclared)
      warnOnce(
        'TSMCP_LOGGING_NOT_DECLARED',
        'ctx.log() sends nothing: this server does not declare the logging capability. Pass capabilities: { logging: {} } to new McpServer() (or Server) so clients that ask for a log level receive the messages.',
      );
    if (this.#done || this.#cancel.aborted || !b.loggingEnabled) return;
    const min = b.logLevel === undefined ? -1 : LOGGING_LEVELS.indexOf(b.logLevel);
    if (min < 0 ? this.era === 'modern' : LOGGING_LEVELS.indexOf(level) < min) return;
    const params: JsonObject = { level, data };
    if (logger !== undefined) params.logger = logger;
    await b.channel.notify('notifications/message', params);
  }

  elicit(params: ElicitParams, options?: InputOptions): Promise<ElicitOutcome> {
    return this.#one<ElicitOutcome>({ method: 'elicitation/create', params }, options);
  }
  async completeElicitation(elicitationId: string): Promise<boolean> {
    if (!hasElicitationComplete(this.protocolVersion)) return false;
    if (typeof elicitationId !== 'string' || elicitationId === '')
      throw new TypeError('completeElicitation needs the elicitationId the elicitation carried');
    if (!this.#done) {
      await this.#backend.channel.notify('notifications/elicitation/complete', { elicitationId });
      return true;
    }
    // After the response (e.g. the tool answered -32042 and the user finishes in the browser later), the
    // request's channel is gone: the session carries it (stdio connection, HTTP GET stream).
    const late = this.#backend.session?.notify;
    if (!late)
      throw new TsmcpError(
        'TSMCP_UNSUPPORTED',
        'completeElicitation() after the request finished needs a session that can carry it (stdio, or an HTTP session with a GET stream)',
      );
    return late('notifications/elicitation/complete', { elicitationId });
  }
  createMessage(params: CreateMessageParams, options?: InputOptions): Promise<CreateMessageResult> {
    return this.#one<CreateMessageResult>({ method: 'sampling/createMessage', params }, options);
  }
  listRoots(options?: InputOptions): Promise<ListRootsResult> {
    return this.#one<ListRootsResult>({ method: 'roots/list' }, options);
  }
  closeStream(retryMs = 1000): void {
    this.#backend.channel.closeStream?.(retryMs);
  }
  input(requests: InputRequests): Promise<InputResponses> {
    for (const key in requests) this.#keyFor(requests[key]!.method, { key });
    return this.#ask(requests);
  }

  #keyFor(method: string, options?: InputOptions): string {
    if (options?.key) return options.key;
    const kind = KIND[method] ?? 'input';
    const counters = (this.#counters ??= {});
    counters[kind] = (counters[kind] ?? 0) + 1;
    return `${kind}-${counters[kind]}`;
  }

  async #one<T>(req: InputRequest, options?: InputOptions): Promise<T> {
    const key = this.#keyFor(req.method, options);
    return (await this.#ask({ [key]: req }))[key] as T;
  }

  async #ask(asked: InputRequests): Promise<InputResponses> {
    const requests: InputRequests = {};
    for (const key in asked) {
      const needs = featureOf(asked[key]!);
      if (needs && !supports(this.protocolVersion, needs.feature)) {
        throw new McpError(
          ErrorCode.InvalidRequest,
          `${asked[key]!.method}${needs.what} does not exist in protocol ${this.protocolVersion}, which this client speaks`,
        );
      }
      const req = asked[key]!;
      const missing = missingClientCapability(
        req.method,
        req.params as JsonObject | undefined,
        this.clientCapabilities,
        this.protocolVersion,
      );
      if (missing) {
        throw new McpError(
          ErrorCode.MissingRequiredClientCapability,
          `This request needs the client capability ${capabilityPath(missing)}`,
          { requiredCapabilities: missing },
        );
      }
      requests[key] = encodeInputRequest(req, this.protocolVersion);
    }
    return withElicitationIds(requests, await this.#send(requests));
  }

  async #send(requests: InputRequests): Promise<InputResponses> {
    const backend = this.#backend;
    if (backend.input) return backend.input(requests);
    if (this.era === 'modern') {
      const answers = backend.answers ?? {};
      const out: InputResponses = {};
      const pending: InputRequests = {};
      for (const key in requests) {
        const a = answers[key];
        if (a !== undefined) out[key] = a as InputResponse;
        else pending[key] = requests[key]!;
      }
      if (Object.keys(pending).length) throw new InputRequiredSignal(pending);
      return out;
    }
    const channel = backend.channel;
    if (!channel.request)
      throw new McpError(ErrorCode.InternalError, 'This connection cannot carry server-to-client requests');
    const out: InputResponses = {};
    await Promise.all(
      Object.entries(requests).map(async ([key, req]) => {
        const res = await channel.request!(
          req.method,
          (req.params ?? undefined) as JsonObject | undefined,
          this.signal,
        );
        if (!isValidInputResponse(req.method, res))
          throw new McpError(ErrorCode.InvalidParams, `Client sent an invalid answer to ${req.method}`);
        out[key] = res;
      }),
    );
    return out;
  }
}

/** `{ sampling: { context: {} } }` → `sampling.context`, for error messages. */
function capabilityPath(caps: ClientCapabilities): string {
  const top = Object.keys(caps)[0]!;
  const sub = Object.keys((caps as { [k: string]: object })[top]!)[0];
  return sub === undefined ? top : `${top}.${sub}`;
}

/** Answers to URL-mode elicitations carry the id their request went out with (and only that one). */
function withElicitationIds(requests: InputRequests, answers: InputResponses): InputResponses {
  let out: InputResponses | undefined;
  for (const key in requests) {
    const req = requests[key]!;
    if (req.method !== 'elicitation/create' || !isObject(answers[key])) continue;
    const { elicitationId: _fromClient, ...answer } = answers[key] as ElicitOutcome;
    const id = req.params.mode === 'url' ? req.params.elicitationId : undefined;
    out ??= { ...answers };
    out[key] = (id === undefined ? answer : { ...answer, elicitationId: id }) as InputResponses[string];
  }
  return out ?? answers;
}

// Bind methods on first access, so destructured methods keep their context.
for (const name of [
  'progress',
  'log',
  'elicit',
  'completeElicitation',
  'createMessage',
  'listRoots',
  'closeStream',
  'input',
] as const) {
  const fn = Context.prototype[name] as (...a: unknown[]) => unknown;
  Object.defineProperty(Context.prototype, name, {
    configurable: true,
    get(this: Context) {
      const bound = fn.bind(this);
      Object.defineProperty(this, name, { value: bound });
      return bound;
    },
  });
}

/** Build the context for one request. */
/**
 * The session a legacy request's context carries in its backend (undefined for a modern one): read from
 * the context itself, so a legacy request costs no WeakMap entry to find its session again.
 */
export function backendSessionOf(ctx: RequestContext): ContextBackend['session'] {
  return Context.sessionOf(ctx);
}

export function createContext(init: ContextInit): RequestContext & { finish(): void } {
  return new Context(init);
}
