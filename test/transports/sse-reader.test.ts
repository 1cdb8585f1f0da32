// The HTTP client's one SSE reader: JSON out of events, resumption state across bodies, the size bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseReader } from '../../src/transports/http/sse-reader.js';

const body = (...chunks: string[]) => new Response(chunks.join('')).body!;

describe('SseReader', () => {
  it('parses JSON events, skips priming events, reports bad data, and keeps id/retry across bodies', async () => {
    const got: unknown[] = [];
    let bad = 0;
    const r = new SseReader(1024, { onMessage: (m) => got.push(m), onParseError: () => bad++ });
    await r.read(body('id: 1\nretry: 500\ndata: \n\n', 'id: 2\nevent: message\ndata: {"a":1}\n\n', 'data: nope\n\n'));
    assert.deepEqual(got, [{ a: 1 }]);
    assert.equal(bad, 1);
    assert.equal(r.lastEventId, '2');
    assert.equal(r.retryMs, 500);
    await r.read(body('id: 3\ndata: [1,2]\n\n'));
    assert.deepEqual(got, [{ a: 1 }, [1, 2]]);
    assert.equal(r.lastEventId, '3');
    assert.equal(r.over, false);
  });

  it('lets onEvent take an event before the JSON path', async () => {
    const taken: string[] = [];
    const r = new SseReader(1024, {
      onMessage: () => assert.fail('not JSON'),
      onParseError: () => assert.fail('taken'),
      onEvent: (e) => (e.event === 'endpoint' ? (taken.push(e.data), true) : false),
    });
    await r.read(body('event: endpoint\ndata: /messages?s=1\n\n'));
    assert.deepEqual(taken, ['/messages?s=1']);
  });

  it('stops reading at an event over maxBytes and says so', async () => {
    const got: unknown[] = [];
    const r = new SseReader(64, { onMessage: (m) => got.push(m), onParseError: () => {} });
    // What the parser holds unterminated counts (a whole event inside one chunk is never buffered).
    const chunks = [`data: "${'x'.repeat(40)}`, 'x'.repeat(40), 'x'.repeat(40), '"\n\ndata: 1\n\n'];
    let fed = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull: (c) => (fed < chunks.length ? c.enqueue(new TextEncoder().encode(chunks[fed++])) : c.close()),
    });
    await r.read(stream);
    assert.equal(r.over, true);
    assert.deepEqual(got, []);
    assert.ok(fed < chunks.length, 'the read stopped before the rest of the body');
  });
});
