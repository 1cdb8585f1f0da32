// The JSON-RPC classifier: every shape of input maps to a message kind or a spec-shaped -32600.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classify } from '../../src/protocol/jsonrpc.js';

describe('classify', () => {
  it('recognises requests, notifications, results and errors', () => {
    assert.equal(classify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }).kind, 'request');
    assert.equal(classify({ jsonrpc: '2.0', id: 'a', method: 'x', params: {} }).kind, 'request');
    assert.equal(classify({ jsonrpc: '2.0', method: 'notifications/initialized' }).kind, 'notification');
    assert.equal(classify({ jsonrpc: '2.0', id: 1, result: {} }).kind, 'result');
    assert.equal(classify({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } }).kind, 'error');
    assert.equal(classify({ jsonrpc: '2.0', error: { code: -32700, message: 'bad' } }).kind, 'error');
    assert.equal(classify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]).kind, 'batch');
  });

  const invalid: [string, unknown, unknown][] = [
    ['wrong jsonrpc', { jsonrpc: '1.0', id: 1, method: 'ping' }, 1],
    ['missing jsonrpc', { id: 2, method: 'ping' }, 2],
    ['null id', { jsonrpc: '2.0', id: null, method: 'ping' }, undefined],
    ['fractional id', { jsonrpc: '2.0', id: 1.5, method: 'ping' }, undefined],
    ['object id', { jsonrpc: '2.0', id: {}, method: 'ping' }, undefined],
    ['empty method', { jsonrpc: '2.0', id: 3, method: '' }, 3],
    ['numeric method', { jsonrpc: '2.0', id: 4, method: 7 }, 4],
    ['array params', { jsonrpc: '2.0', id: 5, method: 'x', params: [1] }, 5],
    ['string params', { jsonrpc: '2.0', id: 6, method: 'x', params: 'p' }, 6],
    ['result not an object', { jsonrpc: '2.0', id: 7, result: 3 }, 7],
    ['error without code', { jsonrpc: '2.0', id: 8, error: { message: 'x' } }, 8],
    ['nothing', { jsonrpc: '2.0', id: 9 }, 9],
    ['a string', 'hello', undefined],
    ['a number', 42, undefined],
    ['null', null, undefined],
    ['empty batch', [], undefined],
  ];
  for (const [name, value, id] of invalid) {
    it(`rejects ${name} with -32600${id === undefined ? ' and no id' : ' keeping the id'}`, () => {
      const c = classify(value);
      assert.equal(c.kind, 'invalid');
      if (c.kind !== 'invalid') return;
      assert.equal(c.error.code, -32600);
      assert.equal(c.id, id);
      assert.ok(c.error.message.length > 0);
    });
  }

  it('never throws and always answers with a known kind (property)', () => {
    const kinds = new Set(['request', 'notification', 'result', 'error', 'batch', 'invalid']);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = classify(v);
        assert.ok(kinds.has(c.kind));
        if (c.kind === 'invalid') assert.equal(c.error.code, -32600);
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies arbitrary message-like objects consistently (property)', () => {
    const id = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double(), fc.constant(undefined));
    const msg = fc.record(
      {
        jsonrpc: fc.oneof(fc.constant('2.0'), fc.string()),
        id,
        method: fc.oneof(fc.string(), fc.integer()),
        params: fc.oneof(fc.object(), fc.array(fc.integer()), fc.constant(undefined)),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(msg, (m) => {
        const c = classify(m);
        if (c.kind === 'request') {
          assert.equal(m.jsonrpc, '2.0');
          assert.ok(typeof m.id === 'string' || Number.isInteger(m.id));
          assert.equal(typeof m.method, 'string');
        }
        if (c.kind === 'notification') assert.ok(!('id' in m));
      }),
      { numRuns: 2000 },
    );
  });
});
