// Newline-delimited JSON framing for byte streams: partial lines, many lines per chunk, UTF-8 split
// across chunks, CRLF, blank lines; an over-long line is skipped without being buffered whole.
import type { FrameError } from '../transport.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface FramerSink {
  onmessage(value: unknown): void;
  onframeerror(error: FrameError): void;
}

/** Splits a byte stream into JSON values, one per line. */
export class LineFramer {
  readonly #max: number;
  readonly #sink: FramerSink;
  readonly #decoder = new TextDecoder('utf-8');
  #chunks: Uint8Array[] = [];
  #size = 0;
  /** True while skipping the rest of an over-long line. */
  #skipping = false;

  constructor(sink: FramerSink, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {
    this.#sink = sink;
    this.#max = maxMessageBytes;
  }

  /** Bytes currently held for an unfinished line (bounded by the limit). */
  get buffered(): number {
    return this.#size;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.#skipping) {
        const piece = chunk.subarray(start, end);
        if (this.#size + piece.length > this.#max) {
          this.#chunks = [];
          this.#size = 0;
          this.#skipping = true;
          this.#sink.onframeerror({ code: -32600, message: `Message exceeds the ${this.#max}-byte limit` });
        } else if (piece.length) {
          this.#chunks.push(piece.slice());
          this.#size += piece.length;
        }
      }
      if (nl < 0) break;
      if (this.#skipping) this.#skipping = false;
      else this.#line();
      start = nl + 1;
    }
  }

  #line(): void {
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : concat(this.#chunks, this.#size);
    this.#chunks = [];
    this.#size = 0;
    let text = this.#decoder.decode(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.#sink.onframeerror({ code: -32700, message: `Parse error: ${(e as Error).message}` });
      return;
    }
    this.#sink.onmessage(value);
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
