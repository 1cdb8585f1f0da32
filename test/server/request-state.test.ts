// Sealed requestState: round-trips, and any tampering, expiry or reuse for another request is -32602.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/protocol/canonical-json.js';
import { RequestStateCodec, digest } from '../../src/server/request-state.js';
import { McpError } from '../../src/protocol/errors.js';

const isBad = (re: RegExp) => (e: unknown) => e instanceof McpError && e.code === -32602 && re.test(e.message);

describe('RequestStateCodec', () => {
  it('round-trips a payload', async () => {
    const c = new RequestStateCodec({ key: 'k'.repeat(32) });
    const d = await digest(['tools/call', 'x', {}]);
    const s = await c.seal({ d, e: Date.now() + 1000, a: { k: { action: 'accept' } }, q: { k: 'elicitation/create' } });
    const p = await c.open(s, d);
    assert.deepEqual(p.a, { k: { action: 'accept' } });
  });
  it('rejects a flipped byte, another key, expiry and another request', async () => {
    const c = new RequestStateCodec({ key: 'k'.repeat(32) });
    const d = await digest(['tools/call', 'x', {}]);
    const s = await c.seal({ d, e: Date.now() + 1000, a: {}, q: {} });
    const [v, body, mac] = s.split('.');
    const flipped = `${v}.${body!.slice(0, -2)}${body!.slice(-2) === 'AA' ? 'AB' : 'AA'}.${mac}`;
    await assert.rejects(c.open(flipped, d), isBad(/integrity|malformed/));
    await assert.rejects(new RequestStateCodec({ key: 'j'.repeat(32) }).open(s, d), isBad(/integrity/));
    await assert.rejects(c.open('garbage', d), isBad(/malformed/));
    await assert.rejects(c.open(s, await digest(['tools/call', 'y', {}])), isBad(/different request/));
    const old = await c.seal({ d, e: Date.now() - 1, a: {}, q: {} });
    await assert.rejects(c.open(old, d), isBad(/expired/));
    const bound = await c.seal({ d, e: Date.now() + 1000, a: {}, q: {}, p: 'alice' });
    await assert.rejects(c.open(bound, d, 'mallory'), isBad(/principal/));
  });
  it('refuses short keys', () => {
    assert.throws(() => new RequestStateCodec({ key: 'short' }));
  });
  it('canonicalJson sorts keys', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
});
