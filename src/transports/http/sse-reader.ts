// The HTTP client's one SSE reader: eventsource-parser under the transport's `maxMessageBytes` bound,
// JSON-RPC messages out of `data`, and the `id:`/`retry:` state a Last-Event-ID resumption needs.
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/** What a reader does with the events of its stream. @internal */
export interface SseReaderHandlers {
  /** A JSON value from an event's data (priming events, whose data is empty, carry none). */
  onMessage(value: unknown): void;
  /** An event whose data is not JSON; the stream goes on. */
  onParseError(): void;
  /** Sees every event first; return true when it took the event (e.g. HTTP+SSE's `endpoint`). */
  onEvent?(event: EventSourceMessage): boolean;
}

/**
 * Reads one logical SSE stream, possibly over several responses (a resumed stream continues in the
 * same reader). A line or event over `maxBytes` characters stops the read and sets `over`. @internal
 */
export class SseReader {
  /** The last event id seen, for Last-Event-ID; the owner may clear it to start afresh. */
  lastEventId: string | undefined;
  /** The server's last `retry:` advice, ms. */
  retryMs: number | undefined;
  #over = false;
  readonly #parser: EventSourceParser;

  constructor(maxBytes: number, handlers: SseReaderHandlers) {
    this.#parser = createParser({
      maxBufferSize: maxBytes,
      onError: (e) => {
        if (e.type === 'max-buffer-size-exceeded') this.#over = true;
      },
      onRetry: (ms) => {
        this.retryMs = ms;
      },
      onEvent: (e) => {
        if (e.id) this.lastEventId = e.id;
        if (handlers.onEvent?.(e)) return;
        if (!e.data.trim()) return; // priming event
        let value: unknown;
        try {
          value = JSON.parse(e.data);
        } catch {
          return handlers.onParseError();
        }
        handlers.onMessage(value);
      },
    });
  }

  /** Whether an event outgrew the bound (the read stopped; resuming would replay the same event). */
  get over(): boolean {
    return this.#over;
  }

  /** Feed a response body until it ends, drops, outgrows the bound, or `stop()` says enough. */
  async read(body: ReadableStream<Uint8Array>, stop?: () => boolean): Promise<void> {
    const reader = body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        this.#parser.feed(dec.decode(value, { stream: true }));
        if (this.#over || stop?.()) {
          await reader.cancel();
          return;
        }
      }
    } catch {
      // the connection dropped; the caller decides whether to resume
    }
  }
}
