// What both sides record of a request, named as the OpenTelemetry semantic conventions for MCP say
// (semantic-conventions-genai v0.1.0, docs/gen-ai/mcp.md): span name, attributes, error type and code.
import type { Attributes } from '@opentelemetry/api';
import { McpError, TsmcpError } from '../../protocol/errors.js';
import type { JsonObject } from '../../protocol/jsonrpc.js';

/** Requests whose params name a resource (`mcp.resource.uri`). */
const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

/** The convention's histogram buckets for both operation-duration metrics, in seconds. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** What names a request: its span name and the low-cardinality attributes spans and metrics share. */
export interface Described {
  readonly name: string;
  /** For the span and the metric. */
  readonly common: Attributes;
  /** For the span only (high cardinality: one value per resource). */
  readonly resourceUri: string | undefined;
}

/**
 * Span name `{mcp.method.name} {target}` (target: the tool or prompt name), `mcp.method.name`,
 * `gen_ai.tool.name` + `gen_ai.operation.name: execute_tool`, `gen_ai.prompt.name`, `mcp.resource.uri`.
 */
export function describe(method: string, params: JsonObject, uriInName: boolean): Described {
  const common: Attributes = { 'mcp.method.name': method };
  const name = typeof params.name === 'string' ? params.name : undefined;
  const uri = RESOURCE_METHODS.has(method) && typeof params.uri === 'string' ? params.uri : undefined;
  let target: string | undefined;
  if (method === 'tools/call' && name !== undefined) {
    common['gen_ai.tool.name'] = target = name;
    common['gen_ai.operation.name'] = 'execute_tool';
  } else if (method === 'prompts/get' && name !== undefined) {
    common['gen_ai.prompt.name'] = target = name;
  } else if (uri !== undefined && uriInName) {
    target = uri;
  }
  return { name: target === undefined ? method : `${method} ${target}`, common, resourceUri: uri };
}

/** How a request failed, as `error.type` and (for a JSON-RPC error) `rpc.response.status_code`. */
export interface Failure {
  readonly type: string;
  readonly code: string | undefined;
  readonly message: string | undefined;
}

/**
 * A thrown error. Server side, anything but an `McpError` goes out as -32603; client side, a local
 * `TsmcpError` is typed by its `TSMCP_…` code (no JSON-RPC answer arrived).
 */
export function failureOf(e: unknown, side: 'server' | 'client'): Failure {
  const message = e instanceof Error ? e.message : undefined;
  if (e instanceof McpError) return { type: String(e.code), code: String(e.code), message };
  if (side === 'server') return { type: '-32603', code: '-32603', message };
  if (e instanceof TsmcpError) return { type: e.code, code: undefined, message };
  const name = e instanceof Error ? e.name : undefined;
  return { type: name && name !== 'Error' ? name : '_OTHER', code: undefined, message };
}

/** A successful answer that still reports a failure: a tool result with `isError: true` is `tool_error`. */
export function resultFailure(method: string, result: JsonObject): Failure | undefined {
  return method === 'tools/call' && result.isError === true
    ? { type: 'tool_error', code: undefined, message: undefined }
    : undefined;
}

/** `network.transport` and `network.protocol.name` for a carrier (`RequestIdentity.transport` names). */
export function networkOf(carrier: string | undefined): Attributes {
  switch (carrier) {
    case 'http':
      return { 'network.transport': 'tcp', 'network.protocol.name': 'http' };
    case 'websocket':
      return { 'network.transport': 'tcp', 'network.protocol.name': 'websocket' };
    case 'stdio':
      return { 'network.transport': 'pipe' };
    default:
      return {};
  }
}
