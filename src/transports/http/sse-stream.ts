// One server-side SSE response of the Streamable HTTP core: numbered and stored for resumption when it
// belongs to a legacy session, re-attachable to a new connection, kept alive with comments.
import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { ServerEvent } from '../../server/events.js';
import type { EventStore } from './event-store.js';

/** Where an SSE response's text goes; the fronts implement it over their platform's response. */
export interface StreamSink {
  /**
   * Queue text; a sink over its buffer bound (`maxStreamBufferBytes`) closes its connection and reports
   * `closed`. `backlog` marks a resumption replay: its size (already bounded by the event store) is
   * allowed on top of the bound until it has been flushed, so a client can always take back what it missed.
   */
  write(text: string, backlog?: boolean): void;
  end(): void;
  readonly closed: boolean;
}

/** One SSE response: numbered and stored for resumption when it belongs to a legacy session. @internal */
export class SseStream {
  #sink: StreamSink | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** A GET stream: its place in the change-event log (every change up to it handled), kept with each event. */
  position: string | undefined;
  /** A GET stream catching up on the log after a resumption: live changes wait here meanwhile. */
  pending: { event: ServerEvent; position: string | undefined }[] | undefined;
  constructor(
    sink: StreamSink,
    readonly id: string,
    readonly store: EventStore | undefined,
    readonly sessionId = '',
  ) {
    this.#sink = sink;
  }
  get live(): boolean {
    return this.#sink !== undefined && !this.#sink.closed;
  }
  /** Send a JSON-RPC message as an SSE event (stored first, so a reconnecting client can replay it). */
  message(m: JsonRpcMessage | JsonRpcMessage[]): void {
    const data = JSON.stringify(m);
    const eventId = this.store?.append(this.sessionId, this.id, data, this.position);
    if (this.live) this.#sink!.write(`${eventId ? `id: ${eventId}\n` : ''}event: message\ndata: ${data}\n\n`);
  }
  /** SEP-1699 priming event: an id and empty data, so the client can resume from the very start. */
  prime(retryMs?: number): void {
    const eventId = this.store?.append(this.sessionId, this.id, '', this.position);
    if (this.live)
      this.#sink!.write(`${eventId ? `id: ${eventId}\n` : ''}${retryMs ? `retry: ${retryMs}\n` : ''}data: \n\n`);
  }
  retry(ms: number): void {
    if (this.live) this.#sink!.write(`retry: ${ms}\n\n`);
  }
  keepAlive(ms: number): void {
    this.#timer = setInterval(() => (this.live ? this.#sink!.write(': keep-alive\n\n') : this.close()), ms);
    (this.#timer as { unref?: () => void }).unref?.();
  }
  /** Attach a new connection (resumption) and replay what it missed; it supersedes the old one. */
  attach(sink: StreamSink, missed: string[]): void {
    const old = this.#sink;
    this.#sink = sink;
    old?.end();
    for (const e of missed) sink.write(e, true);
  }
  /** Close the connection (only `sink`, when given) but keep the stream: later events are stored for the client to resume. */
  detach(sink?: StreamSink): void {
    const s = this.#sink;
    if (sink && s !== sink) return;
    this.#sink = undefined;
    s?.end();
  }
  close(): void {
    clearInterval(this.#timer);
    this.#sink?.end();
    this.#sink = undefined;
  }
}
