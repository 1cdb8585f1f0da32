// LazyAbortController: the AbortSignal is built only when asked for, and behaves as an eager one would
// whether it is asked for before or after the abort.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LazyAbortController, signalOf } from '../../src/engine/cancel.js';

describe('LazyAbortController', () => {
  it('aborts without building a signal, and a signal asked for later is already aborted with the reason', () => {
    const c = new LazyAbortController();
    assert.equal(c.aborted, false);
    const why = new Error('gone');
    c.abort(why);
    c.abort(new Error('second')); // the first reason stays
    assert.equal(c.aborted, true);
    assert.equal(c.signal.aborted, true);
    assert.equal(c.signal.reason, why);
  });

  it('a signal built before the abort fires its listeners once, with the reason', () => {
    const c = new LazyAbortController();
    const s = c.signal;
    assert.equal(c.signal, s, 'one signal per controller');
    const seen: unknown[] = [];
    s.addEventListener('abort', () => seen.push(s.reason));
    c.abort('cancelled');
    c.abort('again');
    assert.deepEqual(seen, ['cancelled']);
  });

  it('without a reason, the signal carries an AbortError as an eager one does', () => {
    const c = new LazyAbortController();
    c.abort();
    assert.equal((c.signal.reason as DOMException).name, 'AbortError');
  });

  it('signalOf passes a real AbortSignal through and builds a lazy one', () => {
    const real = new AbortController().signal;
    assert.equal(signalOf(real), real);
    const lazy = new LazyAbortController();
    assert.equal(signalOf(lazy), lazy.signal);
  });
});
