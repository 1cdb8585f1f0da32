// Sending one request to its final result: `_meta` on 2026-07-28, the multi round-trip loop (input rounds
// answered through the handlers, bounded), extension result types, the -32020 header retry, legacy results
// translated, and the response cache.
import type { RequestOptions } from '../engine/peer.js';
import { decodeLegacyResult } from '../protocol/codec.js';
import { ErrorCode, McpError, TsmcpError } from '../protocol/errors.js';
import { isObject, type JsonObject } from '../protocol/jsonrpc.js';
import { userMetaProblem } from '../protocol/meta.js';
import type { InputRequests, Tool } from '../protocol/types.js';
import { isModernVersion } from '../protocol/versions.js';
import { ResponseCache } from './cache.js';
import { metaOf } from './era.js';
import type { InputAnswerer } from './input.js';
import type { CallOptions } from './options.js';
import { checked, type ClientState } from './state.js';

const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** @internal What the loop needs of the Client. */
export interface MrtrHost {
  readonly state: ClientState;
  readonly input: InputAnswerer;
  /** The Client's listTools (it records each tool's headers on the transport). */
  listTools(cursor: string | undefined, options: CallOptions): Promise<{ tools: Tool[]; nextCursor?: string }>;
}

/** @internal Send one request (after the client middleware) and return its final result. */
export async function send(
  host: MrtrHost,
  method: string,
  params: JsonObject,
  options: CallOptions,
): Promise<JsonObject> {
  const s = host.state;
  if (s.recovering) await s.recovering.catch(() => undefined); // a restarting stdio server
  const peer = s.peer;
  const version = s.version;
  if (s.connecting)
    throw new TsmcpError('TSMCP_NOT_CONNECTED', `${method}: connect() is still in progress: await it before calling`);
  if (!peer || !version) throw new TsmcpError('TSMCP_NOT_CONNECTED', `${method}: not connected: await connect() first`);
  const metaProblem = userMetaProblem(options.meta, 'request') ?? userMetaProblem(params._meta, 'request');
  if (metaProblem) throw new TsmcpError('TSMCP_INVALID_META', `${method}: ${metaProblem}`);
  const cacheable = s.cache && !options.noCache && ResponseCache.cacheable(method);
  if (cacheable) {
    const hit = s.cache!.get(method, params);
    if (hit) return hit;
  }
  // The peer reads only its own RequestOptions fields (signal, timeouts, onprogress…): the client's own
  // (meta, logLevel, noCache) ride along unread, which saves a rest-object per call.
  const { meta, logLevel } = options;
  const reqOptions: RequestOptions = options;
  if (!isModernVersion(version)) {
    const p = meta ? { ...params, _meta: { ...(isObject(params._meta) ? params._meta : {}), ...meta } } : params;
    const legacyResult = decodeLegacyResult(await peer.request(method, p, reqOptions));
    // A call an extension augments may answer with another shape (the extension reads it).
    return passesThrough(s, method, params) ? legacyResult : checked(method, legacyResult);
  }
  const extra =
    isObject(params._meta) || meta ? { ...(isObject(params._meta) ? params._meta : {}), ...meta } : undefined;
  const base: JsonObject = { ...params, _meta: metaOf(s, version, extra, logLevel) };
  const maxRounds = s.options.maxInputRounds ?? 10;
  let next = base;
  // HTTP: a tool called before it was listed lacks its Mcp-Param-* headers (-32020); learn them once.
  let headerRetry =
    method === 'tools/call' && typeof params.name === 'string' && typeof s.transport?.setToolHeaders === 'function';
  for (let round = 0; ; round++) {
    let result: JsonObject;
    try {
      const sent = next;
      result = await peer.request(method, sent, reqOptions).catch(async (e: unknown) => {
        if (!headerRetry || !(e instanceof McpError && e.code === ErrorCode.HeaderMismatch)) throw e;
        headerRetry = false; // a second -32020 is final
        if (!(await refreshTool(host, params.name as string, options))) throw e;
        return peer.request(method, sent, reqOptions);
      });
    } catch (e) {
      if (e instanceof McpError && e.code === ErrorCode.InvalidParams && typeof params.cursor === 'string')
        s.cache?.invalidateMethod(method);
      throw e;
    }
    // Only an absent resultType means complete (A7); a present null is as invalid as any unknown value.
    const type = result.resultType === undefined ? 'complete' : result.resultType;
    if (type === 'complete') {
      checked(method, result);
      if (cacheable && round === 0) s.cache!.put(method, params, result);
      return result;
    }
    const follower = typeof type === 'string' ? s.followers.get(type) : undefined;
    if (follower?.methods.includes(method)) return follower.follow(result, { method, params, options });
    if (type !== 'input_required' || !MRTR_METHODS.has(method)) {
      throw new TsmcpError(
        'TSMCP_INVALID_RESPONSE',
        `Server returned resultType ${JSON.stringify(type)} for ${method}`,
      );
    }
    if (round >= maxRounds)
      throw new TsmcpError('TSMCP_INPUT_ROUNDS_EXCEEDED', `${method} still needed input after ${maxRounds} rounds`);
    const requests = isObject(result.inputRequests) ? (result.inputRequests as InputRequests) : undefined;
    next = { ...base };
    if (requests) next.inputResponses = await host.input.answerAll(requests, options.signal);
    if (typeof result.requestState === 'string') next.requestState = result.requestState;
  }
}

/** Whether an extension reads this legacy result itself (no closure per call when none registered). */
function passesThrough(s: ClientState, method: string, params: JsonObject): boolean {
  for (const when of s.legacyPassThrough) if (when(method, params)) return true;
  return false;
}

/**
 * Fetch a tool's current definition (tools/list, paging until it shows up) so the transport knows its
 * Mcp-Param-* headers. True when found; at most `maxToolRefreshPages` pages.
 */
async function refreshTool(host: MrtrHost, name: string, options: CallOptions): Promise<boolean> {
  const s = host.state;
  const max = s.options.maxToolRefreshPages ?? 100;
  const same: CallOptions = {
    noCache: true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.meta ? { meta: options.meta } : {}),
  };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < max; page++) {
    const r = await host.listTools(cursor, same);
    if (r.tools.some((t) => t.name === name)) return true;
    cursor = r.nextCursor;
    if (cursor === undefined || seen.has(cursor)) return false;
    seen.add(cursor);
  }
  throw new TsmcpError(
    'TSMCP_INVALID_RESPONSE',
    `Tool ${name} was not in the first ${max} pages of tools/list while refreshing its headers (maxToolRefreshPages)`,
  );
}
