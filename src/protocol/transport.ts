// The contract every message-stream transport (stdio, in-memory, WebSocket, HTTP) meets. It lives in
// protocol/ because the engine, server and client all build on it, while transports only implement it.
import type { RequestIdentity } from './identity.js';
import type { JsonRpcMessage, RequestId } from './jsonrpc.js';
import type { HeaderParam } from './x-mcp-header.js';

/** A frame that could not be turned into a JSON value (bad JSON, over the size limit). */
export interface FrameError {
  /** -32700 for unparseable input, -32600 for an oversize frame. */
  code: number;
  message: string;
  /** An oversize request whose id its start showed: the engine answers with an error carrying this id. */
  id?: RequestId;
}

/**
 * A bidirectional stream of JSON-RPC messages. The engine sets the `on*` callbacks before `start()`.
 * Transports parse frames into JSON values but do not validate them: that is the engine's job.
 */
export interface Transport {
  /** Begin delivering messages; resolves once the transport is ready to send. */
  start(): Promise<void>;
  /** Send one message (or, for 2025-03-26 peers only, a batch). Rejects if the transport is closed. */
  send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void>;
  /** Close the transport; `onclose` fires once. Idempotent. */
  close(): Promise<void>;
  /** A parsed JSON value arrived (not yet known to be valid JSON-RPC). */
  onmessage?: (value: unknown) => void;
  /** A frame could not be parsed; the engine answers with an id-less JSON-RPC error. */
  onframeerror?: (error: FrameError) => void;
  /** A transport-level failure that does not close the stream. */
  onerror?: (error: Error) => void;
  /**
   * The stream ended (peer closed, process exited, `close()` called); `reason` when it ended on its own and the
   * transport knows why. A `reason` with a string `beforeAnswering` gives the message requests still waiting
   * fail with (else "Connection closed before the response arrived: <reason>").
   */
  onclose?: (reason?: Error) => void;
  /**
   * The request with this id will get no usable JSON-RPC answer (HTTP: an error without a JSON-RPC body,
   * a dropped stream; stdio: its response ran over `maxMessageBytes`); the engine fails it with `error`.
   */
  onrequestfailed?: (id: RequestId, error: Error) => void;
  /**
   * Server side: who is at the other end of this connection, as the transport itself knows it (the
   * parent process for stdio, the upgrade request for WebSocket). The server hands it to `principalOf`
   * and to handlers as `ctx.identity`; nothing a client writes into a message can change it.
   */
  readonly identity?: RequestIdentity;

  // Optional client-side members. The Client uses each one when present; a transport without it simply
  // loses that feature (nothing else changes).

  /**
   * Names the server at the other end (stdio: command, arguments, cwd and env; HTTP: the endpoint URL),
   * so the Client remembers its era verdict per server for the process instead of probing again.
   * Two transports with the same key must reach the same server.
   */
  readonly eraCacheKey?: string;
  /**
   * Start a fresh server after the current connection ended (stdio: close and spawn again). The Client
   * calls it when a legacy server exits on the era probe, or when a cached verdict stops working, and then
   * connects again on this same transport, calling `start()` once more: that call must not start a
   * second server beside the fresh one.
   */
  restart?(): Promise<void>;
  /**
   * After the server ended on its own: whether the transport's restart policy allows one more start
   * (counting it and waiting its backoff first). On `true` the Client connects again on this transport
   * (which spawns the server on `start()`) and restores the session; on `false` the connection is lost.
   */
  allowRestart?(): Promise<boolean>;
  /**
   * HTTP only: which arguments of `tool` are mirrored into `Mcp-Param-*` headers (SEP-2243, from the
   * tool's `x-mcp-header` annotations). The Client calls it after each `tools/list`, with an empty list
   * when the tool has none; a transport without headers leaves it out.
   */
  setToolHeaders?(tool: string, params: HeaderParam[]): void;
}
