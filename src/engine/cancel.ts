// Cancellation for incoming requests without an AbortController each: most requests are never cancelled
// and nobody listens, so the AbortSignal (an EventTarget: a controller, a signal and a listener map) is
// built only when a handler asks for it, or already aborted when it asks after the cancel.

/** An AbortController whose `signal` is built on first access; `aborted` and `abort()` never build it. */
export class LazyAbortController {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  get aborted(): boolean {
    return this.#aborted;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** A request's cancellation as the dispatcher takes it: a real AbortSignal, or a lazy one. */
export type CancelSignal = AbortSignal | LazyAbortController;

/** The AbortSignal of a CancelSignal (built now if it is lazy). */
export function signalOf(s: CancelSignal): AbortSignal {
  return s instanceof LazyAbortController ? s.signal : s;
}
