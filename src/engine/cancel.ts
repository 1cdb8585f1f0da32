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

/**
 * A request's cancellation as the dispatcher takes it: a real AbortSignal, or a lazy source such as a
 * LazyAbortController (structural, so public signatures can spell it out without naming an internal class).
 */
export type CancelSignal = AbortSignal | { readonly aborted: boolean; readonly signal: AbortSignal };

/** The AbortSignal of a CancelSignal (built now if it is lazy). An AbortSignal has no `signal` member. */
export function signalOf(s: CancelSignal): AbortSignal {
  return 'signal' in s ? s.signal : s;
}
