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
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void;
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
