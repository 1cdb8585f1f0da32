// JSON-RPC 2.0 envelopes: types and the one classifier every incoming message goes through.
import { ErrorCode } from './errors.js';

export type RequestId = string | number;
export type JsonObject = { [key: string]: unknown };

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: JsonObject;
}
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}
export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: JsonObject;
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  /** Absent only when the request's id could not be read (parse error, invalid envelope). */
  id?: RequestId;
  error: JsonRpcErrorObject;
}
export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** What an incoming value turned out to be. */
export type Classified =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'result'; message: JsonRpcResultResponse }
  | { kind: 'error'; message: JsonRpcErrorResponse }
  | { kind: 'batch'; messages: unknown[] }
  | { kind: 'invalid'; id: RequestId | undefined; error: JsonRpcErrorObject };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** What `await` would wait for: an object or function with a callable `then` (a handler's pending result). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    ((typeof v === 'object' && v !== null) || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}
export function isRequestId(v: unknown): v is RequestId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
}

function invalid(id: RequestId | undefined, message: string): Classified {
  return { kind: 'invalid', id, error: { code: ErrorCode.InvalidRequest, message } };
}

/**
 * Classify a parsed JSON value as a JSON-RPC 2.0 message. Never throws; anything that is not a
 * well-formed message becomes `invalid` with the -32600 error to answer it with.
 */
export function classify(value: unknown): Classified {
  if (Array.isArray(value)) {
    return value.length === 0 ? invalid(undefined, 'Invalid request: empty batch') : { kind: 'batch', messages: value };
  }
  if (!isObject(value)) return invalid(undefined, 'Invalid request: a JSON-RPC message must be an object');
  const id = value.id;
  const readableId = isRequestId(id) ? id : undefined;
  if (value.jsonrpc !== '2.0') return invalid(readableId, 'Invalid request: "jsonrpc" must be "2.0"');
  const hasId = 'id' in value;
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '') {
      return invalid(readableId, 'Invalid request: "method" must be a non-empty string');
    }
    if ('params' in value && value.params !== undefined && !isObject(value.params)) {
      return invalid(readableId, 'Invalid request: "params" must be an object');
    }
    if (!hasId) return { kind: 'notification', message: value as unknown as JsonRpcNotification };
    if (!isRequestId(id)) return invalid(undefined, 'Invalid request: "id" must be a string or an integer');
    return { kind: 'request', message: value as unknown as JsonRpcRequest };
  }
  if ('result' in value) {
    if (!isRequestId(id)) return invalid(undefined, 'Invalid response: "id" must be a string or an integer');
    if (!isObject(value.result)) return invalid(readableId, 'Invalid response: "result" must be an object');
    return { kind: 'result', message: value as unknown as JsonRpcResultResponse };
  }
  if ('error' in value) {
    const e = value.error;
    if (!isObject(e) || typeof e.code !== 'number' || !Number.isInteger(e.code) || typeof e.message !== 'string') {
      return invalid(readableId, 'Invalid response: "error" must have an integer "code" and a string "message"');
    }
    if (hasId && id !== null && !isRequestId(id)) return invalid(undefined, 'Invalid response: bad "id"');
    return { kind: 'error', message: value as unknown as JsonRpcErrorResponse };
  }
  return invalid(readableId, 'Invalid request: not a request, notification or response');
}

export function errorResponse(id: RequestId | undefined, error: JsonRpcErrorObject): JsonRpcErrorResponse {
  return id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error };
}
