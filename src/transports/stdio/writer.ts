// Writes newline-delimited messages to a byte stream (a server's stdout, a child's stdin): what is sent in
// one tick goes out in one write, and while the stream is backed up messages wait here, bounded, for one 'drain'.
import type { Writable } from 'node:stream';
import { TsmcpError } from '../../protocol/errors.js';

/** Default of `maxBufferedBytes`: most bytes queued for a peer that does not read. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Batches lines into one `write` per tick (the first of a tick is written at once) and holds them while the stream waits for 'drain'. At most
 * `maxBufferedBytes` wait behind a full stream (a single message is always accepted into an empty queue);
 * the line that would go over is refused with `TSMCP_CONNECTION_CLOSED` naming the option, the queue is
 * dropped and `onoverflow` is told: the owner closes the connection rather than grow without end.
 */
const RESOLVED = Promise.resolve();

export class LineWriter {
  readonly #out: Writable;
  readonly #max: number;
  readonly #onoverflow: (error: TsmcpError) => void;
  readonly #where: string;
  /** Lines not yet written, joined (a cons string: appending is cheap, the write flattens it once). */
  #text = '';
  /** UTF-8 bytes of #text, counted only while #draining (the only time the bound applies). */
  #bytes = 0;
  /** Settles every write of the current batch at once: one promise per batch, not per message. */
  #batch: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  /** The resolver of the batch written last, once the stream drains. */
  #waiting: (() => void) | undefined;
  #scheduled = false;
  #draining = false;

  constructor(out: Writable, maxBufferedBytes: number, where: string, onoverflow: (error: TsmcpError) => void) {
    this.#out = out;
    this.#max = maxBufferedBytes;
    this.#where = where;
    this.#onoverflow = onoverflow;
  }

  /** Bytes waiting for the stream to drain (0 while it is not backed up). */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Write `line` (ending in a newline); resolves once the stream took it and is not backed up. */
  write(line: string): Promise<void> {
    if (this.#draining) {
      if (this.#max !== Number.POSITIVE_INFINITY) {
        const bytes = Buffer.byteLength(line);
        if (this.#text !== '' && this.#bytes + bytes > this.#max) return this.#overflow();
        this.#bytes += bytes;
      }
    } else if (!this.#scheduled) {
      // The first line of a tick goes out at once (no delay for a lone message); the lines that follow it
      // in the same tick (the answers to one chunk of requests) are joined and written once after it.
      this.#scheduled = true;
      process.nextTick(this.flush);
      return this.#write(line, undefined);
    }
    this.#text += line;
    this.#batch ??= new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    return this.#batch;
  }

  /** Write what is queued now, unless the stream is backed up (then the 'drain' listener writes it). */
  readonly flush = (): void => {
    this.#scheduled = false;
    if (this.#draining || this.#text === '') return;
    const text = this.#text;
    const resolve = this.#resolve;
    this.#text = '';
    this.#bytes = 0;
    this.#batch = undefined;
    this.#resolve = undefined;
    void this.#write(text, resolve);
  };

  /** Hand `text` to the stream; `resolve` (or the promise returned) settles once it is not backed up. */
  #write(text: string, resolve: (() => void) | undefined): Promise<void> {
    if (this.#out.write(text)) {
      resolve?.();
      return RESOLVED;
    }
    // One listener for the whole backlog, not one per message.
    this.#draining = true;
    this.#out.once('drain', this.#ondrain);
    if (resolve) {
      this.#waiting = resolve;
      return RESOLVED; // unused: flush's caller holds the batch promise
    }
    return new Promise<void>((r) => {
      this.#waiting = r;
    });
  }

  /** Before ending the stream: hand it everything queued, backed up or not (as plain writes would have). */
  flushAll(): void {
    if (!this.#draining) return this.flush();
    if (this.#text === '') return;
    const text = this.#text;
    const resolve = this.#resolve;
    const waiting = this.#waiting;
    this.#text = '';
    this.#bytes = 0;
    this.#batch = undefined;
    this.#resolve = undefined;
    this.#out.write(text);
    // The 'drain' already awaited settles this batch too (no second listener).
    this.#waiting = () => {
      waiting?.();
      resolve?.();
    };
  }

  readonly #ondrain = (): void => {
    this.#draining = false;
    const resolve = this.#waiting!;
    this.#waiting = undefined;
    resolve();
    this.flush();
  };

  #overflow(): Promise<void> {
    const error = new TsmcpError(
      'TSMCP_CONNECTION_CLOSED',
      `Connection closed: the peer left over ${this.#max} bytes unread (maxBufferedBytes of the ${this.#where})`,
    );
    // The queued writes never settle: the connection closes, which fails what waits on it.
    this.#text = '';
    this.#bytes = 0;
    this.#batch = undefined;
    this.#resolve = undefined;
    this.#onoverflow(error);
    return Promise.reject(error);
  }
}
