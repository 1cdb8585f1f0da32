// Translation between the internal (2026-07-28) model and legacy revisions. Everything that
// differs between revisions on the wire is decided here and nowhere else.
import { ErrorCode } from './errors.js';
import { isObject, type JsonObject, type JsonRpcErrorObject } from './jsonrpc.js';
import type { ContentBlock, ServerCapabilities } from './types.js';
import { atLeast, type ProtocolVersion } from './versions.js';

/** Fields that only exist on 2026-07-28 results. */
const MODERN_RESULT_FIELDS = ['resultType', 'ttlMs', 'cacheScope'] as const;

/** Downgrade one content block to what `version` can carry. */
export function encodeContentBlock(block: ContentBlock, version: ProtocolVersion): ContentBlock {
  if (block.type === 'audio' && !atLeast(version, '2025-03-26')) {
    return { type: 'text', text: `[audio content (${block.mimeType}) not representable in protocol ${version}]` };
  }
  if (block.type === 'resource_link' && !atLeast(version, '2025-06-18')) {
    return { type: 'text', text: `Resource: ${block.uri}${block.name ? ` (${block.name})` : ''}` };
  }
  return block;
}

function encodeContentList(list: unknown, version: ProtocolVersion): unknown {
  return Array.isArray(list) ? list.map((b) => (isObject(b) ? encodeContentBlock(b as unknown as ContentBlock, version) : b)) : list;
}

/**
 * Turn an internal result into what a legacy peer on `version` expects: drop `resultType` and
 * cache hints, move `_meta` serverInfo out, and downgrade content and schemas the revision lacks.
 */
export function encodeLegacyResult(method: string, result: JsonObject, version: ProtocolVersion): JsonObject {
  const out: JsonObject = { ...result };
  for (const f of MODERN_RESULT_FIELDS) delete out[f];
  if (isObject(out._meta) && 'io.modelcontextprotocol/serverInfo' in out._meta) {
    const { ['io.modelcontextprotocol/serverInfo']: _omit, ...rest } = out._meta;
    if (Object.keys(rest).length === 0) delete out._meta;
    else out._meta = rest;
  }
  switch (method) {
    case 'tools/call': {
      out.content = encodeContentList(out.content, version);
      if ('structuredContent' in out && (!atLeast(version, '2025-06-18') || !isObject(out.structuredContent))) {
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
          isObject(m) && isObject(m.content) ? { ...m, content: encodeContentBlock(m.content as unknown as ContentBlock, version) } : m,
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
  if ('outputSchema' in t && (!atLeast(version, '2025-06-18') || !isObject(t.outputSchema) || t.outputSchema.type !== 'object')) {
    delete t.outputSchema;
  }
  if (!atLeast(version, '2025-03-26')) delete t.annotations;
  return t;
}

/** Server capabilities as a legacy `initialize` result states them. */
export function encodeLegacyServerCapabilities(caps: ServerCapabilities, version: ProtocolVersion): JsonObject {
  const out: JsonObject = { ...caps };
  delete out.extensions;
  if (!atLeast(version, '2025-03-26')) delete out.completions;
  return out;
}

/** Legacy peers know resource-not-found as -32002 (2026-07-28 uses -32602). */
export function encodeLegacyError(error: JsonRpcErrorObject, isResourceNotFound: boolean): JsonRpcErrorObject {
  if (isResourceNotFound && error.code === ErrorCode.InvalidParams) return { ...error, code: ErrorCode.LegacyResourceNotFound };
  return error;
}

/** Read a legacy result into the internal model: an absent `resultType` means `complete`. */
export function decodeLegacyResult(result: JsonObject): JsonObject {
  return 'resultType' in result ? result : { ...result, resultType: 'complete' };
}
