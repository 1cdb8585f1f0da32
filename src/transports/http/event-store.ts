// Resumable SSE for legacy sessions: events are kept per stream (bounded) so a client that reconnects
// with Last-Event-ID gets what it missed. The in-memory store is the default; a shared one can follow.

export interface StoredEvent {
  id: string;
  data: string;
}

export interface EventStore {
  /** Store an event of `streamId`; returns its id (unique within the store, encoding the stream). */
  append(streamId: string, data: string): string;
  /** Events of the stream `lastEventId` belongs to that came after it; undefined when unknown. */
  after(lastEventId: string): { streamId: string; events: StoredEvent[] } | undefined;
  /** Forget a stream (its session ended). */
  drop(streamId: string): void;
}

/** Keeps the last `maxEventsPerStream` events of at most `maxStreams` streams. */
export class InMemoryEventStore implements EventStore {
  readonly #streams = new Map<string, { seq: number; events: StoredEvent[] }>();
  readonly #maxEvents: number;
  readonly #maxStreams: number;

  constructor(options: { maxEventsPerStream?: number; maxStreams?: number } = {}) {
    this.#maxEvents = options.maxEventsPerStream ?? 100;
    this.#maxStreams = options.maxStreams ?? 10_000;
  }

  append(streamId: string, data: string): string {
    let s = this.#streams.get(streamId);
    if (!s) {
      if (this.#streams.size >= this.#maxStreams) this.#streams.delete(this.#streams.keys().next().value!);
      s = { seq: 0, events: [] };
      this.#streams.set(streamId, s);
    }
    const id = `${streamId}.${++s.seq}`;
    s.events.push({ id, data });
    if (s.events.length > this.#maxEvents) s.events.shift();
    return id;
  }

  after(lastEventId: string): { streamId: string; events: StoredEvent[] } | undefined {
    const dot = lastEventId.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const streamId = lastEventId.slice(0, dot);
    const seq = Number(lastEventId.slice(dot + 1));
    const s = this.#streams.get(streamId);
    if (!s || !Number.isInteger(seq)) return undefined;
    return { streamId, events: s.events.filter((e) => Number(e.id.slice(dot + 1)) > seq) };
  }

  drop(streamId: string): void {
    this.#streams.delete(streamId);
  }
}
