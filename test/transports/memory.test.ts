// The in-memory pair: ordered, asynchronous, copied like a wire, and closed together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { TsmcpError } from '../../src/index.js';

describe('createLinkedPair', () => {
  it('delivers in order, asynchronously, as copies', async () => {
    const [a, b] = createLinkedPair();
    const got: unknown[] = [];
    b.onmessage = (v) => got.push(v);
    await a.start();
    const msg = { jsonrpc: '2.0' as const, method: 'x', params: { n: 1, drop: undefined } };
    await a.send(msg);
    await a.send({ jsonrpc: '2.0', method: 'y' });
    assert.equal(got.length, 0, 'nothing arrives before the receiver starts');
    await b.start();
    assert.deepEqual(got, [
      { jsonrpc: '2.0', method: 'x', params: { n: 1 } },
      { jsonrpc: '2.0', method: 'y' },
    ]);
    msg.params.n = 2;
    assert.equal((got[0] as { params: { n: number } }).params.n, 1);
  });

  it('closes both ends once and refuses later sends', async () => {
    const [a, b] = createLinkedPair();
    let ca = 0;
    let cb = 0;
    a.onclose = () => ca++;
    b.onclose = () => cb++;
    await Promise.all([a.start(), b.start()]);
    await b.close();
    await a.close();
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual([ca, cb], [1, 1]);
    await assert.rejects(
      a.send({ jsonrpc: '2.0', method: 'x' }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED',
    );
  });
});
