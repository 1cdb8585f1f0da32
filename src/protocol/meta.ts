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
