// Resumable SSE for legacy sessions: events are kept per session and stream (bounded in bytes) so a client
// that reconnects with Last-Event-ID gets what it missed, and only ever its own session's events.

export interface StoredEvent {
  id: string;
  data: string;
}

/** What `EventStore.replay` gives back. */
export interface Replayed {
  streamId: string;
  events: StoredEvent[];
  /** The change-event log position kept with the stream's last event (shared stores). */
  position?: string | undefined;
}

/**
 * Where legacy SSE events wait for a client to resume. Every operation is scoped to a session: an event id
 * of another session is unknown. `append` is synchronous because the event goes on the wire with its id
 * right away; a shared store (e.g. Redis Streams) mints ids locally (one node writes a stream) and may
 * persist them in the background. `replay` may be asynchronous.
 */
export interface EventStore {
  /**
   * Keep an event of `streamId` in `sessionId`; returns its id, or undefined when it is sent without one (the
   * store is full). `position`: a GET stream's place in the server's change-event log when it wrote the event
   * (every change up to it was handled); a shared store keeps it, so another instance resuming the stream can
   * catch up on the changes raised after it.
   */
  append(sessionId: string, streamId: string, data: string, position?: string): string | undefined;
  /**
   * The events of the session's stream after `lastEventId`, and (a shared store) the `position` kept with the
   * stream's last event. Undefined when the id is unknown, of another session, or older than what is still
   * kept (the stream cannot be resumed from there).
   */
  replay(sessionId: string, lastEventId: string): Replayed | undefined | Promise<Replayed | undefined>;
  /** Forget one stream (its response was delivered, or its resumption window passed). */
  dropStream(sessionId: string, streamId: string): void;
  /** Forget everything of a session (DELETE, idle expiry, eviction). */
  dropSession(sessionId: string): void;
  /**
   * A store shared by several instances: this instance's prefix of the stream ids it mints, so streams of
   * one session opened on different instances never share an id (the core then numbers streams per instance).
   */
  readonly streamPrefix?: string;
  /** A shared store: this instance dropped its local copy of a session that lives on (keep its events). */
  release?(sessionId: string): void;
  /**
   * A shared store: a GET stream another instance wrote was resumed here (its writer may be dead); this
   * instance writes it from now on, numbering after `lastSeq`, and the previous writer's appends are refused.
   */
  adopt?(sessionId: string, streamId: string, lastSeq: number): void;
}

export interface InMemoryEventStoreOptions {
  /** Most bytes kept in all (string length of event data plus 64 per event). Default 64 MiB; beyond, a stream makes room from its own oldest events, else its new event is not kept. */
  maxBytes?: number;
  /** Most bytes kept per stream (counted as for `maxBytes`). Default 4 MiB; beyond, the stream's oldest events are dropped. */
  maxBytesPerStream?: number;
  /** Most events kept per stream. Default 100; beyond, the oldest are dropped. */
  maxEventsPerStream?: number;
  /** Most streams kept. Default 10 000; beyond, a new stream's events are sent without ids (not resumable). */
  maxStreams?: number;
}

/** Per-event bookkeeping counted into the byte bounds, so empty (priming) events are not free. */
const EVENT_OVERHEAD = 64;

interface Stream {
  seq: number;
  /** Resuming is possible only from a sequence number ≥ floor (older events were dropped). */
  floor: number;
  bytes: number;
  events: { seq: number; data: string }[];
}

/** The default store: in memory, per session, bounded in bytes, events and streams; never evicts another stream's events. */
export class InMemoryEventStore implements EventStore {
  readonly #sessions = new Map<string, Map<string, Stream>>();
  readonly #maxBytes: number;
  readonly #maxStreamBytes: number;
  readonly #maxEvents: number;
  readonly #maxStreams: number;
  #bytes = 0;
  #streams = 0;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#maxStreamBytes = options.maxBytesPerStream ?? 4 * 1024 * 1024;
    this.#maxEvents = options.maxEventsPerStream ?? 100;
    this.#maxStreams = options.maxStreams ?? 10_000;
  }

  /** Bytes kept now (as counted for the bounds). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Streams with state kept now. */
  get streamCount(): number {
    return this.#streams;
  }

  append(sessionId: string, streamId: string, data: string): string | undefined {
    let streams = this.#sessions.get(sessionId);
    let s = streams?.get(streamId);
    if (!s) {
      if (this.#streams >= this.#maxStreams) return undefined;
      if (!streams) this.#sessions.set(sessionId, (streams = new Map()));
      streams.set(streamId, (s = { seq: 0, floor: 0, bytes: 0, events: [] }));
      this.#streams++;
    }
    const seq = ++s.seq;
    const size = data.length + EVENT_OVERHEAD;
    // Make room from this stream's own oldest events; another stream's events are never touched.
    while (
      s.events.length > 0 &&
      (s.events.length >= this.#maxEvents ||
        s.bytes + size > this.#maxStreamBytes ||
        this.#bytes + size > this.#maxBytes)
    )
      this.#shift(s);
    if (size > this.#maxStreamBytes || this.#bytes + size > this.#maxBytes)
      s.floor = seq; // not kept: no resuming from before it
    else {
      s.events.push({ seq, data });
      s.bytes += size;
      this.#bytes += size;
    }
    return `${streamId}.${seq}`;
  }

  replay(sessionId: string, lastEventId: string): Replayed | undefined {
    const dot = lastEventId.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const streamId = lastEventId.slice(0, dot);
    const seq = Number(lastEventId.slice(dot + 1));
    const s = this.#sessions.get(sessionId)?.get(streamId);
    if (!s || !Number.isInteger(seq) || seq < s.floor || seq > s.seq) return undefined;
    return {
      streamId,
      events: s.events.filter((e) => e.seq > seq).map((e) => ({ id: `${streamId}.${e.seq}`, data: e.data })),
    };
  }

  dropStream(sessionId: string, streamId: string): void {
    const streams = this.#sessions.get(sessionId);
    const s = streams?.get(streamId);
    if (!s) return;
    this.#bytes -= s.bytes;
    this.#streams--;
    streams!.delete(streamId);
    if (streams!.size === 0) this.#sessions.delete(sessionId);
  }

  dropSession(sessionId: string): void {
    for (const streamId of [...(this.#sessions.get(sessionId)?.keys() ?? [])]) this.dropStream(sessionId, streamId);
  }

  #shift(s: Stream): void {
    const e = s.events.shift()!;
    const size = e.data.length + EVENT_OVERHEAD;
    s.bytes -= size;
    this.#bytes -= size;
    s.floor = e.seq;
  }
}
