// Change events (list changed, resource updated) fan out to every connection through a small bus.
// The in-memory bus is the embedded default; a shared backend (e.g. Redis) can implement the same interface.

/** A server change. The `<list>/list_changed` types map to their notifications in `protocol/list-changed.ts`. */
export type ServerEvent =
  | { type: 'tools/list_changed' }
  | { type: 'prompts/list_changed' }
  | { type: 'resources/list_changed' }
  | { type: 'resources/updated'; uri: string }
  /**
   * An extension's notification (`method`, `params`) for the `subscriptions/listen` streams whose
   * filter lists `value` under the extension's key `key` (see ExtensionHost.addListenFilter).
   */
  | { type: 'extension'; method: string; params: { [key: string]: unknown }; key: string; value: string };

export interface ServerEventBus {
  publish(event: ServerEvent): void | Promise<void>;
  /**
   * Returns the unsubscribe function. A bus that keeps a log (see `since`) passes each event's `position`
   * in the log; listeners of the same bus see events in the same order everywhere.
   */
  subscribe(listener: (event: ServerEvent, position?: EventPosition) => void): () => void;
  /**
   * A bus that keeps a log (a fleet's shared bus): the position of the last event delivered on this instance,
   * undefined until known. A stream opened now has seen everything up to it.
   */
  readonly position?: EventPosition | undefined;
  /**
   * A bus that keeps a log: the events after `position`, in order, so a stream whose holder died (or whose
   * subscriber was disconnected) can catch up. Undefined when the log no longer reaches back there (trimmed,
   * or an event too big to keep): the caller then has to assume every list changed.
   */
  since?(position: EventPosition): Promise<{ event: ServerEvent; position: EventPosition }[] | undefined>;
}

/** A place in a bus's log: `<ms>-<seq>` (a Redis stream id), ordered by `comparePositions`. */
export type EventPosition = string;

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: EventPosition, b: EventPosition): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  const ma = Number(a.slice(0, da));
  const mb = Number(b.slice(0, db));
  return ma !== mb ? ma - mb : Number(a.slice(da + 1)) - Number(b.slice(db + 1));
}

/** Process-local bus: delivers synchronously to every subscriber. */
export class InMemoryEventBus implements ServerEventBus {
  readonly #listeners = new Set<(event: ServerEvent) => void>();
  publish(event: ServerEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch {
        // One broken listener must not starve the others.
      }
    }
  }
  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
