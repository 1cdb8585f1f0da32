/**
 * tsmcp/memory: a linked pair of in-memory transports for tests. Messages are copied through JSON, so
 * they behave as on a wire (no shared references, `undefined` dropped), and arrive in order, async.
 * @module tsmcp/memory
 */
import { TsmcpError } from '../../protocol/errors.js';
import type { RequestIdentity } from '../../protocol/identity.js';
import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { Transport } from '../../protocol/transport.js';

class MemoryTransport implements Transport {
  other: MemoryTransport | undefined;
  identity: RequestIdentity = { transport: 'memory' };
  #started = false;
  #closed = false;
  readonly #inbox: string[] = [];
  onmessage?: (value: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  async start(): Promise<void> {
    this.#started = true;
    this.#flush();
  }

  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed) throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'Transport closed');
    this.other!.#deliver(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => this.onclose?.());
    await this.other?.close();
  }

  #deliver(text: string): void {
    if (this.#closed) return;
    this.#inbox.push(text);
    if (this.#started) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    while (this.#inbox.length && !this.#closed) this.onmessage?.(JSON.parse(this.#inbox.shift()!));
  }
}

export interface LinkedPairOptions {
  /**
   * How the second (server-side) transport identifies its peer, as a real transport's auth layer would:
   * lets tests exercise principals (`{ transport: 'memory', auth: { subject: 'alice' } }`).
   */
  identity?: RequestIdentity;
}

/**
 * Two connected transports: what one sends, the other receives. Works for every protocol era.
 * @example const [clientSide, serverSide] = createLinkedPair();
 */
export function createLinkedPair(options: LinkedPairOptions = {}): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  if (options.identity) b.identity = options.identity;
  a.other = b;
  b.other = a;
  return [a, b];
}
