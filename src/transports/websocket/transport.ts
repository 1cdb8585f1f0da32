// One WebSocket as a message transport (text frames, one JSON-RPC message each), shared by both sides.
import { TsmcpError } from '../../protocol/errors.js';
import type { RequestIdentity } from '../../protocol/identity.js';
import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { FrameError, Transport } from '../../protocol/transport.js';

/** The part of a `ws` WebSocket this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued but not yet sent (ws and the WHATWG WebSocket both have it). */
  readonly bufferedAmount?: number;
  /** Drop the connection without a closing handshake (ws has it). */
  terminate?(): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const OPEN = 1;

export class WebSocketTransport implements Transport {
  #socket: WebSocketLike | undefined;
  #closed = false;
  readonly #maxBytes: number;
  readonly #maxBuffered: number;
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** Server side: the upgrade request's caller (set by createWebSocketHandler). */
  identity?: RequestIdentity;

  /**
   * `maxMessageBytes`: longest accepted message (default 4 MiB). `maxBufferedBytes`: most bytes queued
   * for a peer that does not read (default 4 MiB); beyond, the socket is closed (1008).
   */
  constructor(
    socket: WebSocketLike | undefined,
    maxMessageBytes = 4 * 1024 * 1024,
    maxBufferedBytes = 4 * 1024 * 1024,
  ) {
    this.#maxBytes = maxMessageBytes;
    this.#maxBuffered = maxBufferedBytes;
    if (socket) this.attach(socket);
  }

  attach(socket: WebSocketLike): void {
    this.#socket = socket;
    socket.on('message', (data) => {
      const text =
        typeof data === 'string'
          ? data
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Array.isArray(data)
              ? Buffer.concat(data as Buffer[]).toString('utf8')
              : String(data);
      if (text.length > this.#maxBytes)
        return this.onframeerror?.({ code: -32600, message: `Message exceeds the ${this.#maxBytes}-byte limit` });
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        return this.onframeerror?.({ code: -32700, message: `Parse error: ${(e as Error).message}` });
      }
      this.onmessage?.(value);
    });
    socket.on('error', (e) => this.onerror?.(e));
    socket.on('close', () => this.#finish());
  }

  async start(): Promise<void> {}

  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed || !this.#socket || this.#socket.readyState !== OPEN)
      throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'WebSocket is not open');
    this.#socket.send(JSON.stringify(message));
    // A peer that stops reading: close rather than queue without end.
    if ((this.#socket.bufferedAmount ?? 0) > this.#maxBuffered) {
      // A closing handshake would wait behind the unread data: drop the connection where the socket can.
      if (this.#socket.terminate) this.#socket.terminate();
      else this.#socket.close(1008, 'peer not reading');
      this.#finish();
      throw new TsmcpError(
        'TSMCP_CONNECTION_CLOSED',
        `WebSocket closed: the peer left over ${this.#maxBuffered} bytes unread (maxBufferedBytes)`,
      );
    }
  }

  async close(): Promise<void> {
    this.#socket?.close(1000, 'closed');
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
