// The stdio line writer: one write per tick, order kept under backpressure, one 'drain' listener at most,
// and a peer that does not read is cut off at maxBufferedBytes instead of queued without end.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { TsmcpError } from '../../src/index.js';
import { StdioServerTransport } from '../../src/transports/stdio/index.js';
import { LineWriter } from '../../src/transports/stdio/writer.js';

/** A slow reader: takes each chunk one macrotask later, through a small buffer, so writes back up. */
function slowSink() {
  const chunks: string[] = [];
  let maxDrainListeners = 0;
  const out = new Writable({
    highWaterMark: 64,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      chunks.push(chunk);
      setImmediate(callback);
    },
  });
  const watch = () => {
    maxDrainListeners = Math.max(maxDrainListeners, out.listenerCount('drain'));
  };
  return { out, chunks, watch, maxDrainListeners: () => maxDrainListeners };
}

const neverOverflow = () => assert.fail('overflow');

describe('LineWriter', () => {
  it('keeps the order of many writes under backpressure, with one drain listener at most', async () => {
    const sink = slowSink();
    const w = new LineWriter(sink.out, 1 << 20, 'test', neverOverflow);
    const lines: string[] = [];
    const done: Promise<void>[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100; i++) {
        const line = `{"n":${round * 100 + i}}\n`;
        lines.push(line);
        done.push(w.write(line));
        sink.watch();
      }
      // Some rounds in the same tick, some after the stream had a chance to drain in between.
      if (round % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(done);
    assert.equal(sink.chunks.join(''), lines.join(''));
    assert.equal(sink.maxDrainListeners(), 1);
    assert.equal(sink.out.listenerCount('drain'), 0);
    assert.ok(sink.chunks.length < lines.length / 10, `${sink.chunks.length} writes for ${lines.length} lines`);
  });

  it('writes a lone line at once, and the lines after it in the same tick in one write', () => {
    const chunks: string[] = [];
    const out = new Writable({
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const w = new LineWriter(out, 1 << 20, 'test', neverOverflow);
    void w.write('a\n');
    assert.deepEqual(chunks, ['a\n']);
    void w.write('b\n');
    void w.write('c\n');
    assert.deepEqual(chunks, ['a\n']);
    w.flush();
    assert.deepEqual(chunks, ['a\n', 'b\nc\n']);
  });

  it('refuses the line that goes over maxBufferedBytes, drops the queue and says so once', async () => {
    // A reader that never takes anything: every byte after the first write waits.
    const out = new Writable({ highWaterMark: 16, write() {} });
    const overflows: TsmcpError[] = [];
    const w = new LineWriter(out, 1000, 'test writer', (e) => overflows.push(e));
    void w.write(`${'x'.repeat(100)}\n`); // backs the stream up
    // One line bigger than the bound is still accepted into the empty queue.
    void w.write(`${'y'.repeat(2000)}\n`);
    assert.equal(w.bufferedBytes, 2001);
    const refused = w.write('z\n');
    await assert.rejects(
      refused,
      (e: unknown) =>
        e instanceof TsmcpError &&
        e.code === 'TSMCP_CONNECTION_CLOSED' &&
        /1000 bytes unread \(maxBufferedBytes of the test writer\)/.test(e.message),
    );
    assert.equal(overflows.length, 1);
    assert.equal(overflows[0]!.message, ((await refused.catch((e: unknown) => e)) as Error).message);
    assert.equal(w.bufferedBytes, 0);
    assert.equal(out.listenerCount('drain'), 1);
  });
});

describe('stdio server: a client that does not read', () => {
  it('is cut off at maxBufferedBytes: the transport closes and the send fails naming the option', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough({ highWaterMark: 1024 }); // nobody reads it
    const t = new StdioServerTransport({ stdin, stdout, maxBufferedBytes: 64 * 1024 });
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const message = { jsonrpc: '2.0' as const, method: 'notifications/message', params: { data: 'x'.repeat(1000) } };
    let error: unknown;
    for (let i = 0; i < 1000 && error === undefined; i++) {
      t.send(message).catch((e: unknown) => {
        error ??= e;
      });
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(error instanceof TsmcpError, String(error));
    assert.equal(error.code, 'TSMCP_CONNECTION_CLOSED');
    assert.match(error.message, /maxBufferedBytes of the stdio server transport/);
    assert.equal(closed, 1);
    assert.ok(stdout.listenerCount('drain') <= 1);
    await assert.rejects(
      t.send(message),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED',
    );
  });
});

describe('LineWriter.flushAll (before the stream is ended)', () => {
  it('hands the backlog over in order without a second drain listener, and settles it on the drain', async () => {
    const sink = slowSink();
    const w = new LineWriter(sink.out, Number.POSITIVE_INFINITY, 'test', neverOverflow);
    const done = [w.write(`${'a'.repeat(100)}\n`), w.write('b\n')];
    w.flush(); // 'a' backed the stream up: 'b' waits for the drain
    done.push(w.write('c\n'));
    w.flushAll();
    assert.equal(sink.out.listenerCount('drain'), 1);
    await Promise.all(done);
    assert.equal(sink.out.listenerCount('drain'), 0);
    assert.equal(sink.chunks.join(''), `${'a'.repeat(100)}\nb\nc\n`);
  });
});
