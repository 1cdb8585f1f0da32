// Translation between the internal (2026-07-28) model and legacy revisions. Everything that
// differs between revisions on the wire is decided here and nowhere else.
import { ErrorCode } from './errors.js';
import { isObject, type JsonObject, type JsonRpcErrorObject } from './jsonrpc.js';
import type { ClientCapabilities, ContentBlock, InputRequest, ServerCapabilities } from './types.js';
import { supports, type Feature } from './features.js';
import type { ProtocolVersion } from './versions.js';

/** Fields that only exist on 2026-07-28 results. */
const MODERN_RESULT_FIELDS = ['resultType', 'ttlMs', 'cacheScope'] as const;

/** Downgrade one content block to what `version` can carry. */
export function encodeContentBlock(block: ContentBlock, version: ProtocolVersion): ContentBlock {
  if (block.type === 'audio' && !supports(version, 'audioContent')) {
    return { type: 'text', text: `[audio content (${block.mimeType}) not representable in protocol ${version}]` };
  }
  if (block.type === 'resource_link' && !supports(version, 'resourceLinks')) {
    return { type: 'text', text: `Resource: ${block.uri}${block.name ? ` (${block.name})` : ''}` };
  }
  return block;
}

function encodeContentList(list: unknown, version: ProtocolVersion): unknown {
  return Array.isArray(list)
    ? list.map((b) => (isObject(b) ? encodeContentBlock(b as unknown as ContentBlock, version) : b))
    : list;
}

/**
 * Turn an internal result into what a legacy peer on `version` expects: drop `resultType` and
 * cache hints, move `_meta` serverInfo out, and downgrade content and schemas the revision lacks.
 */
export function encodeLegacyResult(method: string, result: JsonObject, version: ProtocolVersion): JsonObject {
  const out: JsonObject = { ...result };
  for (const f of MODERN_RESULT_FIELDS) delete out[f];
  if (isObject(out._meta) && 'io.modelcontextprotocol/serverInfo' in out._meta) {
    const { 'io.modelcontextprotocol/serverInfo': _omit, ...rest } = out._meta;
    if (Object.keys(rest).length === 0) delete out._meta;
    else out._meta = rest;
  }
  switch (method) {
    case 'tools/call': {
      out.content = encodeContentList(out.content, version);
      if ('structuredContent' in out && (!supports(version, 'structuredOutput') || !isObject(out.structuredContent))) {
        delete out.structuredContent;
      }
      break;
    }
    case 'tools/list': {
      if (Array.isArray(out.tools)) out.tools = out.tools.map((t) => encodeLegacyTool(t as JsonObject, version));
      break;
    }
    case 'prompts/get': {
      if (Array.isArray(out.messages)) {
        out.messages = out.messages.map((m) =>
          isObject(m) && isObject(m.content)
            ? { ...m, content: encodeContentBlock(m.content as unknown as ContentBlock, version) }
            : m,
        );
      }
      break;
    }
  }
  return out;
}

function encodeLegacyTool(tool: JsonObject, version: ProtocolVersion): JsonObject {
  const t = { ...tool };
  // Before 2026-07-28 an outputSchema had to describe an object.
  if (
    'outputSchema' in t &&
    (!supports(version, 'structuredOutput') || !isObject(t.outputSchema) || t.outputSchema.type !== 'object')
  ) {
    delete t.outputSchema;
  }
  if (!supports(version, 'toolAnnotations')) delete t.annotations;
  return t;
}

/** Server capabilities as a legacy `initialize` result states them. */
export function encodeLegacyServerCapabilities(caps: ServerCapabilities, version: ProtocolVersion): JsonObject {
  const out: JsonObject = { ...caps };
  delete out.extensions;
  if (!supports(version, 'completions')) delete out.completions;
  return out;
}

/** Client capabilities as a legacy `initialize` on `version` states them: only what that revision defines. */
export function encodeLegacyClientCapabilities(
  caps: ClientCapabilities & { tasks?: JsonObject },
  version: ProtocolVersion,
): JsonObject {
  const out: JsonObject = {};
  if (caps.experimental) out.experimental = caps.experimental;
  if (caps.roots) out.roots = caps.roots.listChanged === undefined ? {} : { listChanged: caps.roots.listChanged };
  // Sampling sub-capabilities (tools, context) and elicitation modes (form, url) arrived with 2025-11-25.
  if (caps.sampling)
    out.sampling = supports(version, 'sampling.tools') && supports(version, 'sampling.context') ? caps.sampling : {};
  const e = caps.elicitation;
  if (e && supports(version, 'elicitation.url')) out.elicitation = e;
  else if (e && supports(version, 'elicitation') && (e.form || !e.url)) out.elicitation = {}; // form only, unnamed
  if (caps.tasks && supports(version, 'experimentalTasks')) out.tasks = caps.tasks;
  return out; // `extensions` and unknown keys exist in no legacy revision
}

/** The requests a server may send to the client, with the feature each needs (`true`: every revision has it). */
const SERVER_REQUESTS: { [method: string]: Feature | true } = {
  ping: true,
  'sampling/createMessage': true,
  'roots/list': true,
  'elicitation/create': 'elicitation',
  'tasks/get': 'tasks',
  'tasks/result': 'tasks',
  'tasks/list': 'tasks',
  'tasks/cancel': 'tasks',
};

/** Whether a server on legacy revision `version` may send the request `method` to a client at all. */
export function legacyServerRequestExists(method: string, version: ProtocolVersion): boolean {
  const needs = Object.hasOwn(SERVER_REQUESTS, method) ? SERVER_REQUESTS[method] : undefined;
  return needs === true || (needs !== undefined && supports(version, needs));
}

/** URL-mode elicitation carries an `elicitationId` on 2025-11-25 only (required there, removed in 2026-07-28). */
function urlElicitationHasId(version: ProtocolVersion): boolean {
  return supports(version, 'elicitationId');
}

/**
 * An input request as `version` carries it. URL-mode elicitation: on 2025-11-25 it gets an
 * `elicitationId` (the caller's, or a fresh random one), elsewhere any `elicitationId` is dropped.
 */
export function encodeInputRequest(req: InputRequest, version: ProtocolVersion): InputRequest {
  if (req.method !== 'elicitation/create' || req.params.mode !== 'url') return req;
  const { elicitationId, ...rest } = req.params;
  if (!urlElicitationHasId(version)) return elicitationId === undefined ? req : { method: req.method, params: rest };
  if (typeof elicitationId === 'string' && elicitationId !== '') return req;
  return { method: req.method, params: { ...rest, elicitationId: globalThis.crypto.randomUUID() } };
}

/** Whether `version` has `notifications/elicitation/complete` (2025-11-25 only). */
export function hasElicitationComplete(version: ProtocolVersion): boolean {
  return supports(version, 'elicitationComplete');
}

/**
 * Why an incoming URL-mode `elicitation/create` is invalid on `version`, if it is: 2025-11-25 requires an
 * `elicitationId`; revisions before it have no URL mode.
 */
export function invalidUrlElicitation(params: JsonObject, version: ProtocolVersion): string | undefined {
  if (params.mode !== 'url') return undefined;
  if (!supports(version, 'elicitation.url')) return `URL-mode elicitation does not exist in protocol ${version}`;
  if (urlElicitationHasId(version) && (typeof params.elicitationId !== 'string' || params.elicitationId === '')) {
    return `A URL-mode elicitation/create on ${version} needs a string elicitationId`;
  }
  return undefined;
}

/**
 * The client capability an input request needs on `version` and `caps` lacks, as `requiredCapabilities`
 * data (undefined when declared). `includeContext` other than `none` needs `sampling.context` from
 * 2025-11-25 on (the revision that introduced the capability and deprecated those values).
 */
export function missingClientCapability(
  method: string,
  params: JsonObject | undefined,
  caps: ClientCapabilities,
  version: ProtocolVersion,
): ClientCapabilities | undefined {
  const p = params ?? {};
  switch (method) {
    case 'elicitation/create': {
      const mode = p.mode === 'url' ? 'url' : 'form';
      const el = caps.elicitation;
      // An empty `elicitation` object declares form mode only.
      const ok =
        el !== undefined &&
        (mode === 'form' ? el.form !== undefined || Object.keys(el).length === 0 : el.url !== undefined);
      return ok ? undefined : { elicitation: { [mode]: {} } };
    }
    case 'sampling/createMessage': {
      if (!caps.sampling) return { sampling: {} };
      if ((p.tools !== undefined || p.toolChoice !== undefined) && !caps.sampling.tools)
        return { sampling: { tools: {} } };
      const wide = p.includeContext === 'thisServer' || p.includeContext === 'allServers';
      if (wide && supports(version, 'sampling.context') && !caps.sampling.context) return { sampling: { context: {} } };
      return undefined;
    }
    case 'roots/list':
      return caps.roots ? undefined : { roots: {} };
  }
  return undefined;
}

/** Legacy peers know resource-not-found as -32002 (2026-07-28 uses -32602). */
export function encodeLegacyError(error: JsonRpcErrorObject, isResourceNotFound: boolean): JsonRpcErrorObject {
  if (isResourceNotFound && error.code === ErrorCode.InvalidParams)
    return { ...error, code: ErrorCode.LegacyResourceNotFound };
  // -32021 exists from 2026-07-28 on; an older peer gets the generic "invalid request" it knows, with
  // the same message and data (which name the capability).
  if (error.code === ErrorCode.MissingRequiredClientCapability) return { ...error, code: ErrorCode.InvalidRequest };
  return error;
}

/** Read a legacy result into the internal model: an absent `resultType` means `complete`. */
export function decodeLegacyResult(result: JsonObject): JsonObject {
  return 'resultType' in result ? result : { ...result, resultType: 'complete' };
}
