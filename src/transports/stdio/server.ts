// Server side of stdio: read the client's messages from stdin, write ours to stdout, nothing else.
import type { Readable, Writable } from 'node:stream';
import { TsmcpError } from '../../protocol/errors.js';
import type { RequestIdentity } from '../../protocol/identity.js';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import type { FrameError, Transport } from '../../protocol/transport.js';
import { DEFAULT_MAX_MESSAGE_BYTES, LineFramer, responseTooLarge } from './framer.js';
import { DEFAULT_MAX_BUFFERED_BYTES, LineWriter } from './writer.js';

export interface StdioServerTransportOptions {
  /** Default: process.stdin. */
  stdin?: Readable;
  /** Default: process.stdout. */
  stdout?: Writable;
  /**
   * Longest accepted line in bytes. Default 4 MiB. A longer line is skipped without being buffered; a
   * request whose id its first KiB shows (`{"jsonrpc":"2.0","id":1,"method":…`) is answered with -32600
   * under that id, a response to one of our requests fails that request with `TSMCP_MESSAGE_TOO_LARGE`,
   * and anything else gets an id-less -32600 error.
   */
  maxMessageBytes?: number;
  /**
   * Most bytes of our messages held while stdout is backed up (the client does not read). Default 4 MiB;
   * a single message is always accepted. Beyond it the transport closes: the send that ran over fails
   * with `TSMCP_CONNECTION_CLOSED` naming this option, and calls in flight end with the connection.
   */
  maxBufferedBytes?: number;
}

/** Serves one client over this process's stdin/stdout. The transport closes when stdin ends. */
export class StdioServerTransport implements Transport {
  readonly #in: Readable;
  readonly #out: Writable;
  readonly #framer: LineFramer;
  readonly #writer: LineWriter;
  #closed = false;
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  onrequestfailed?: (id: RequestId, error: Error) => void;
  /** The client is the process that started this one, running as this process's OS user. */
  readonly identity: RequestIdentity = { transport: 'stdio', process: { pid: process.ppid, uid: process.getuid?.() } };

  constructor(options: StdioServerTransportOptions = {}) {
    this.#in = options.stdin ?? process.stdin;
    this.#out = options.stdout ?? process.stdout;
    this.#framer = new LineFramer(
      {
        onmessage: (v) => this.onmessage?.(v),
        onframeerror: (e) => this.onframeerror?.(e),
        onoversizeresponse: (id) =>
          this.onrequestfailed?.(
            id,
            responseTooLarge(id, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, 'stdio server transport'),
          ),
      },
      options.maxMessageBytes,
    );
    this.#writer = new LineWriter(
      this.#out,
      options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      'stdio server transport',
      () => void this.close(),
    );
  }

  async start(): Promise<void> {
    this.#in.on('data', this.#ondata);
    this.#in.on('end', this.#onend);
    this.#in.on('error', this.#onerror);
    this.#out.on('error', this.#onerror);
  }

  readonly #ondata = (chunk: Buffer | string) =>
    this.#framer.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  readonly #onend = () => void this.close();
  readonly #onerror = (e: Error) => {
    this.onerror?.(e);
    // A broken pipe means the client is gone.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') void this.close();
  };

  // Not async: the writer's promise is shared by every message of a batch, no wrapper per message.
  send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(new TsmcpError('TSMCP_CONNECTION_CLOSED', 'Transport closed'));
    let line: string;
    try {
      line = `${JSON.stringify(message)}\n`;
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#writer.write(line);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // What this tick sent still goes out before onclose (which may exit the process).
    this.#writer.flush();
    this.#in.off('data', this.#ondata);
    this.#in.off('end', this.#onend);
    this.#in.off('error', this.#onerror);
    this.#in.pause();
    this.onclose?.();
  }
}
