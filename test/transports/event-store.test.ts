// InMemoryEventStore bounds, through its inspection points: bytes in all and per stream, events and
// streams; a full store refuses the newcomer's events and never drops another stream's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryEventStore } from '../../src/transports/http/event-store.js';

const KiB = 1024;

describe('InMemoryEventStore', () => {
  it('replays only the asking session’s events after the given id', () => {
    const store = new InMemoryEventStore();
    const a1 = store.append('A', '0', 'one')!;
    store.append('A', '0', 'two');
    assert.deepEqual(
      store.replay('A', a1)?.events.map((e) => e.data),
      ['two'],
    );
    assert.equal(store.replay('B', a1), undefined, 'same id, other session');
    store.append('B', '0', 'bee');
    store.append('B', '0', 'bee2');
    assert.deepEqual(
      store.replay('B', a1)?.events.map((e) => e.data),
      ['bee2'],
      'ids are per session: B sees only its own stream 0',
    );
    assert.equal(store.replay('A', '0.99'), undefined, 'an id not issued yet');
    assert.equal(store.replay('A', 'garbage'), undefined);
  });

  it('bounds a stream in bytes, dropping its oldest events; resuming before them is refused', () => {
    const store = new InMemoryEventStore({ maxBytesPerStream: 10 * KiB });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(store.append('A', '0', 'x'.repeat(KiB))!);
    assert.ok(store.bytes <= 10 * KiB, String(store.bytes));
    assert.equal(store.replay('A', ids[0]!), undefined);
    assert.equal(store.replay('A', ids[98]!)?.events.length, 1);
    // An event larger than the stream's bound is sent but not kept: nothing before it can be resumed.
    const big = store.append('A', '0', 'y'.repeat(11 * KiB))!;
    assert.equal(store.replay('A', ids[99]!), undefined);
    assert.deepEqual(store.replay('A', big)?.events, []);
    assert.equal(store.bytes, 0);
  });

  it('bounds the whole store in bytes without evicting another stream', () => {
    const store = new InMemoryEventStore({ maxBytes: 20 * KiB, maxBytesPerStream: 16 * KiB });
    const a = store.append('A', '0', 'a'.repeat(15 * KiB))!;
    for (let i = 0; i < 50; i++) store.append('B', '0', 'b'.repeat(KiB));
    assert.ok(store.bytes <= 20 * KiB, String(store.bytes));
    assert.equal(store.replay('A', a)?.events.length, 0, 'A is untouched');
    assert.ok(store.replay('A', a) !== undefined);
    store.dropSession('A');
    const b = store.append('B', '0', 'b'.repeat(KiB))!;
    assert.ok(store.bytes > KiB);
    assert.ok(store.replay('B', b));
  });

  it('bounds the number of events per stream and of streams', () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 3, maxStreams: 2 });
    const first = store.append('A', '0', '1')!;
    for (let i = 0; i < 5; i++) store.append('A', '0', String(i));
    assert.equal(store.replay('A', first), undefined);
    store.append('A', '1', 'x');
    assert.equal(store.append('B', '0', 'x'), undefined, 'no third stream: its events go out without ids');
    assert.equal(store.streamCount, 2);
    store.dropStream('A', '0');
    assert.equal(store.streamCount, 1);
    assert.ok(store.append('B', '0', 'x'));
    store.dropSession('A');
    store.dropSession('B');
    assert.equal(store.streamCount, 0);
    assert.equal(store.bytes, 0);
  });
});
