// Answering the server's questions: input requests of a 2026-07-28 round and a legacy session's server
// requests go to the same handlers, after the capability and shape checks, within their bounds.
import {
  hasElicitationComplete,
  invalidUrlElicitation,
  legacyServerRequestExists,
  missingClientCapability,
  encodeLegacyClientCapabilities,
} from '../protocol/codec.js';
import { ErrorCode, McpError, TsmcpError } from '../protocol/errors.js';
import type { JsonObject, JsonRpcRequest } from '../protocol/jsonrpc.js';
import type {
  ClientCapabilities,
  InputRequest,
  InputRequests,
  InputResponse,
  InputResponses,
} from '../protocol/types.js';
import { validateServerRequestParams } from '../protocol/validate.js';
import { isLegacyVersion } from '../protocol/versions.js';
import type { InputHandlers } from './options.js';
import type { ClientState } from './state.js';

/** @internal One per Client: runs the input handlers for both eras. */
export class InputAnswerer {
  readonly #s: ClientState;

  constructor(state: ClientState) {
    this.#s = state;
  }

  async answerAll(requests: InputRequests, signal: AbortSignal | undefined): Promise<InputResponses> {
    const out: InputResponses = {};
    const s = signal ?? new AbortController().signal;
    const entries = Object.entries(requests);
    const max = this.#s.options.maxInputRequestsPerRound ?? 32;
    if (entries.length > max) {
      throw new TsmcpError(
        'TSMCP_INPUT_REQUESTS_EXCEEDED',
        `The server asked for ${entries.length} inputs in one round; the limit is ${max} (maxInputRequestsPerRound)`,
      );
    }
    // A server asking for what this client did not declare broke the protocol: no handler runs.
    for (const [, req] of entries) {
      const refused = this.#refusal(req.method, (req.params ?? {}) as JsonObject);
      if (refused) throw new TsmcpError('TSMCP_INVALID_RESPONSE', refused);
    }
    await Promise.all(
      entries.map(async ([key, req]) => {
        out[key] = await this.#answer(req.method, (req.params ?? {}) as JsonObject, s);
      }),
    );
    return out;
  }

  async #answer(method: string, params: JsonObject, signal: AbortSignal): Promise<InputResponse> {
    // ping is no input request, but a legacy server may send one: its result is empty (no InputResponse shape).
    if (method === 'ping') return {} as InputResponse;
    const h = this.#s.options.handlers ?? {};
    const req = fromWire(method, params);
    switch (req.method) {
      case 'elicitation/create':
        if (h.elicitation) {
          const r = await h.elicitation(req.params, { signal });
          if (r?.action === 'accept') this.#awaitCompletion(params);
          return r;
        }
        break;
      case 'sampling/createMessage':
        if (h.sampling) return h.sampling(req.params, { signal });
        break;
      case 'roots/list':
        if (h.roots) return h.roots({ signal });
        break;
    }
    throw new TsmcpError(
      'TSMCP_NO_INPUT_HANDLER',
      `The server asked for ${method} but no handler is registered for it`,
    );
  }

  /** Why an input request may not be answered here (a capability this client did not declare on the wire, or a shape the revision forbids). */
  #refusal(method: string, params: JsonObject): string | undefined {
    const version = this.#s.version;
    if (version === undefined) return undefined;
    if (method === 'elicitation/create') {
      const bad = invalidUrlElicitation(params, version);
      if (bad) return bad;
    }
    const declared = isLegacyVersion(version)
      ? (encodeLegacyClientCapabilities(this.#s.capabilities, version) as ClientCapabilities)
      : this.#s.capabilities;
    const missing = missingClientCapability(method, params, declared, version);
    if (!missing) return undefined;
    const top = Object.keys(missing)[0]!;
    const sub = Object.keys((missing as { [k: string]: object })[top]!)[0];
    return `The server sent ${method} needing the client capability ${sub ? `${top}.${sub}` : top}, which this client did not declare`;
  }

  /** Accepted 2025-11-25 URL-mode elicitations awaiting their completion notification, oldest first. */
  readonly #pendingUrlElicitations = new Set<string>();

  #awaitCompletion(params: JsonObject): void {
    const id = params.elicitationId;
    if (params.mode !== 'url' || typeof id !== 'string' || !this.#s.version || !hasElicitationComplete(this.#s.version))
      return;
    const pending = this.#pendingUrlElicitations;
    pending.delete(id);
    pending.add(id);
    const max = this.#s.options.maxPendingUrlElicitations ?? 64;
    for (const oldest of pending) {
      if (pending.size <= max) break;
      pending.delete(oldest);
      this.#s.options.onprotocolerror?.(
        new TsmcpError(
          'TSMCP_INPUT_REQUESTS_EXCEEDED',
          `More than ${max} URL-mode elicitations await completion (maxPendingUrlElicitations): forgot ${oldest}`,
        ),
      );
    }
  }

  /** Whether a completion notification is for an elicitation awaiting it; if so, tell the handler (once). */
  elicitationCompleted(params: JsonObject | undefined): boolean {
    const id = params?.elicitationId;
    if (typeof id !== 'string' || !this.#pendingUrlElicitations.delete(id)) return false;
    this.#s.options.handlers?.elicitationComplete?.(id);
    return true;
  }

  /** Server→client requests whose handlers are running (bounded by `maxConcurrentServerRequests`). */
  #serverRequestsInFlight = 0;

  /** Legacy servers send real requests; answer them with the same handlers. */
  async serverRequest(req: JsonRpcRequest, signal: AbortSignal): Promise<JsonObject> {
    // Before the handshake settles a revision only ping is allowed; after it, only that revision's methods.
    const version = this.#s.version;
    if (req.method !== 'ping' && (version === undefined || !legacyServerRequestExists(req.method, version))) {
      throw new McpError(
        ErrorCode.MethodNotFound,
        `Method not found: ${req.method}${version ? ` (not in protocol revision ${version})` : ''}`,
      );
    }
    const invalid = validateServerRequestParams(req.method, req.params);
    if (invalid) throw invalid;
    if (req.method === 'ping') return {};
    const refused = this.#refusal(req.method, req.params ?? {});
    if (refused) throw new McpError(ErrorCode.InvalidParams, refused);
    const max = this.#s.options.maxConcurrentServerRequests ?? 16;
    if (this.#serverRequestsInFlight >= max) {
      throw new McpError(
        ErrorCode.InternalError,
        `Too many server requests in flight: the client runs at most ${max} at once (maxConcurrentServerRequests)`,
      );
    }
    this.#serverRequestsInFlight++;
    try {
      return toWire(await this.#answer(req.method, req.params ?? {}, signal));
    } catch (e) {
      if (e instanceof TsmcpError && e.code === 'TSMCP_NO_INPUT_HANDLER')
        throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${req.method}`);
      throw e;
    } finally {
      this.#serverRequestsInFlight--;
    }
  }
}

/**
 * An input request as it arrived, typed by its method. This is the JSON boundary: legacy params were checked
 * by validateServerRequestParams, 2026-07-28 inputRequests arrive as the server wrote them, and handlers
 * receive them as the types the spec gives (hence the one widening through `unknown`).
 */
function fromWire(method: string, params: JsonObject): InputRequest {
  return { method, params } as unknown as InputRequest;
}

/** A handler's answer, sent back as JSON: input responses are plain JSON objects (interfaces lack index signatures). */
function toWire(response: InputResponse): JsonObject {
  return response as unknown as JsonObject;
}

/** @internal The capabilities the handlers imply (elicitation form, sampling, roots). */
export function capabilitiesFrom(h: InputHandlers | undefined): ClientCapabilities {
  const caps: ClientCapabilities = {};
  if (h?.elicitation) caps.elicitation = { form: {} };
  if (h?.sampling) caps.sampling = {};
  if (h?.roots) caps.roots = {};
  return caps;
}
