// Reserved `_meta` keys and the syntax rule for `_meta` key names (spec §_meta).

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  progressToken: 'progressToken',
  /** 2025-11-25 experimental tasks only. */
  relatedTask: 'io.modelcontextprotocol/related-task',
} as const;

/** W3C trace context keys, passed through untouched (SEP-414). */
export const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'] as const;

const LABEL = '[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const NAME = '(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?';
const KEY_RE = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*/)?${NAME}$`);

/** True when `key` is a syntactically valid `_meta` key (optional prefix + name). */
export function isValidMetaKey(key: string): boolean {
  return KEY_RE.test(key);
}

/** True when the prefix of `key` is reserved for MCP (second label `modelcontextprotocol` or `mcp`). */
export function isReservedMetaKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const labels = key.slice(0, slash).split('.');
  return labels[1] === 'modelcontextprotocol' || labels[1] === 'mcp';
}

/**
 * Why a caller-supplied `_meta` key may not be sent, or undefined when it may: the key syntax, a prefix
 * reserved for MCP (what tsmcp itself sets lives there), and on requests `progressToken` (tsmcp sets it
 * from `onprogress`).
 */
export function userMetaKeyProblem(key: string, on: 'request' | 'result' | 'definition'): string | undefined {
  if (!isValidMetaKey(key))
    return `${JSON.stringify(key)} is not a valid _meta key (optional prefix of dot-separated labels and "/", then a name that starts and ends with a letter or digit)`;
  if (isReservedMetaKey(key))
    return `${JSON.stringify(key)} has a prefix reserved for MCP (second label "modelcontextprotocol" or "mcp"); tsmcp sets the keys defined there itself`;
  if (on === 'request' && key === META.progressToken) return `"progressToken" is set by tsmcp: pass onprogress instead`;
  return undefined;
}

/** The first problem of a caller-supplied `_meta` object (see userMetaKeyProblem), or undefined. */
export function userMetaProblem(meta: unknown, on: 'request' | 'result' | 'definition'): string | undefined {
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return '_meta must be an object';
  for (const key of Object.keys(meta)) {
    const problem = userMetaKeyProblem(key, on);
    if (problem) return problem;
  }
  return undefined;
}
