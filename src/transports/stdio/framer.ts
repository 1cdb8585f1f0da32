// Newline-delimited JSON framing for byte streams: partial lines, many lines per chunk, UTF-8 split
// across chunks, CRLF, blank lines; an over-long line is skipped without being buffered whole, but the
// JSON-RPC id at its start (within its first HEAD_BYTES) is kept, so its request can fail at once.
import { TsmcpError } from '../../protocol/errors.js';
import type { RequestId } from '../../protocol/jsonrpc.js';
import type { FrameError } from '../../protocol/transport.js';
import { readLineHead } from './head.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How much of an over-long line is read for its id (never more than the limit itself). */
const HEAD_BYTES = 1024;

export interface FramerSink {
  onmessage(value: unknown): void;
  /** A line failed to parse, or ran over the limit (then with `id` if it was a request whose id its start shows). */
  onframeerror(error: FrameError): void;
  /** An over-long line is the response to request `id` (as its start shows). Without this, onframeerror gets it. */
  onoversizeresponse?(id: RequestId, error: FrameError): void;
}

/** The error that fails request `id` whose response ran over `max` bytes. */
export function responseTooLarge(id: RequestId, max: number, where: string): TsmcpError {
  return new TsmcpError(
    'TSMCP_MESSAGE_TOO_LARGE',
    `The response to request ${JSON.stringify(id)} exceeds the ${max}-byte limit (maxMessageBytes of the ${where})`,
  );
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
          const head = this.#head(piece);
          this.#chunks = [];
          this.#size = 0;
          this.#skipping = true;
          this.#oversize(head);
        } else if (nl >= 0 && this.#size === 0) {
          // The whole line is inside this chunk (the common case): decode it where it lies, no copy.
          this.#parse(piece);
          start = nl + 1;
          continue;
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

  /** The first bytes of the line that ran over (what is buffered, then the piece that did it). */
  #head(piece: Uint8Array): string {
    const want = Math.min(HEAD_BYTES, this.#max);
    const parts = [...this.#chunks, piece];
    const out = new Uint8Array(want);
    let o = 0;
    for (const p of parts) {
      if (o >= want) break;
      const take = p.subarray(0, want - o);
      out.set(take, o);
      o += take.length;
    }
    return this.#decoder.decode(out.subarray(0, o));
  }

  #oversize(headText: string): void {
    const error: FrameError = {
      code: -32600,
      message: `Message exceeds the ${this.#max}-byte limit (maxMessageBytes)`,
    };
    const head = readLineHead(headText);
    if (head?.kind === 'response' && this.#sink.onoversizeresponse) this.#sink.onoversizeresponse(head.id, error);
    else this.#sink.onframeerror(head?.kind === 'request' ? { ...error, id: head.id } : error);
  }

  #line(): void {
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : concat(this.#chunks, this.#size);
    this.#chunks = [];
    this.#size = 0;
    this.#parse(bytes);
  }

  #parse(bytes: Uint8Array): void {
    let text = this.#decoder.decode(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    // A message starts with '{' or '['; only anything else can be a blank line to skip.
    const first = text.charCodeAt(0);
    if (first !== 0x7b && first !== 0x5b && !text.trim()) return;
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
