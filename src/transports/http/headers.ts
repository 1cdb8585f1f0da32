// The 2026-07-28 request metadata headers (SEP-2243): MCP-Protocol-Version, Mcp-Method, Mcp-Name and
// Mcp-Param-*; values may use the `=?base64?…?=` sentinel. Mismatch with the body is -32020.
import { base64ToBytes, bytesToBase64 } from '../../protocol/base64.js';
import { ErrorCode, McpError } from '../../protocol/errors.js';
import { isObject, type JsonObject } from '../../protocol/jsonrpc.js';
import type { HeaderParam } from '../../protocol/x-mcp-header.js';

const SENTINEL = /^=\?base64\?(.*)\?=$/s;
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function mismatch(message: string): McpError {
  return new McpError(ErrorCode.HeaderMismatch, `Header mismatch: ${message}`, undefined, 400);
}

/** Decode a header value (base64 sentinel or plain); undefined when malformed. @internal */
export function decodeHeaderValue(raw: string): string | undefined {
  const v = raw.trim();
  const m = SENTINEL.exec(v);
  if (m) {
    const bytes = base64ToBytes(m[1]!);
    if (!bytes) return undefined;
    try {
      return utf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  return v === '' || PLAIN.test(v) ? v : undefined;
}

/** Encode a value for a header: as-is when plain safe ASCII, else the base64 sentinel. @internal */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value) && !SENTINEL.test(value)) return value;
  return `=?base64?${bytesToBase64(new TextEncoder().encode(value))}?=`;
}

/** The Mcp-Name a request must carry, if any. @internal */
export function nameOf(method: string, params: JsonObject | undefined): string | undefined {
  const p = params ?? {};
  if (method === 'tools/call' || method === 'prompts/get') return typeof p.name === 'string' ? p.name : undefined;
  if (method === 'resources/read') return typeof p.uri === 'string' ? p.uri : undefined;
  if (method.startsWith('tasks/')) return typeof p.taskId === 'string' ? p.taskId : undefined;
  return undefined;
}

/** Where the request's headers are read from (a CoreRequest): an object, so the core passes it without binding. */
export interface HeaderSource {
  header(lowercaseName: string): string | null | undefined;
}

/**
 * Check the metadata headers of a modern request against its body. `protocolVersion` is the body's
 * `_meta` version (already known to be present). Returns the -32020 error to answer with, if any.
 * @internal
 */
export function checkRequestHeaders(
  headers: HeaderSource,
  method: string,
  params: JsonObject | undefined,
  protocolVersion: string,
  toolHeaders: HeaderParam[] | undefined,
): McpError | undefined {
  const version = headers.header('mcp-protocol-version');
  if (version == null) return mismatch('the MCP-Protocol-Version header is required');
  if (version.trim() !== protocolVersion)
    return mismatch(
      `MCP-Protocol-Version header ${JSON.stringify(version.trim())} differs from _meta protocolVersion ${JSON.stringify(protocolVersion)}`,
    );
  const m = headers.header('mcp-method');
  if (m == null) return mismatch('the Mcp-Method header is required');
  const decodedMethod = decodeHeaderValue(m);
  if (decodedMethod === undefined) return mismatch('the Mcp-Method header is malformed');
  if (decodedMethod !== method)
    return mismatch(
      `Mcp-Method header ${JSON.stringify(decodedMethod)} differs from the body's method ${JSON.stringify(method)}`,
    );
  const expectedName = nameOf(method, params);
  if (expectedName !== undefined) {
    const n = headers.header('mcp-name');
    if (n == null) return mismatch(`the Mcp-Name header is required for ${method}`);
    const decoded = decodeHeaderValue(n);
    if (decoded === undefined) return mismatch('the Mcp-Name header is malformed');
    if (decoded !== expectedName)
      return mismatch(
        `Mcp-Name header ${JSON.stringify(decoded)} differs from the body's ${JSON.stringify(expectedName)}`,
      );
  }
  if (method === 'tools/call' && toolHeaders?.length) {
    const args = isObject(params?.arguments) ? params!.arguments : {};
    for (const p of toolHeaders) {
      const raw = headers.header(`mcp-param-${p.header.toLowerCase()}`);
      const value = args[p.property];
      if (value === undefined || value === null) {
        if (raw != null) return mismatch(`Mcp-Param-${p.header} is present but the argument ${p.property} is not`);
        continue;
      }
      if (raw == null) return mismatch(`the Mcp-Param-${p.header} header is required when ${p.property} is given`);
      const decoded = decodeHeaderValue(raw);
      if (decoded === undefined) return mismatch(`the Mcp-Param-${p.header} header is malformed`);
      const same =
        p.type === 'integer'
          ? /^-?\d+$/.test(decoded) && Number(decoded) === value
          : p.type === 'boolean'
            ? decoded === String(value)
            : decoded === value;
      if (!same) return mismatch(`Mcp-Param-${p.header} header differs from the argument ${p.property}`);
    }
  }
  return undefined;
}
