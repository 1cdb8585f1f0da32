// Client and server agree on what a resource subscription covers (issue 7, item 17): `file:///a` covers
// `file:///a/b` but not `file:///ab` — in server routing, the legacy client's filter, and the cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fileServer() {
  const s = new McpServer({ name: 'files', version: '1' });
  let reads = 0;
  s.registerResourceTemplate('file', 'file:///{+path}', { cache: { ttlMs: 60_000, cacheScope: 'private' } }, (uri) => {
    reads++;
    return [{ uri, text: 'x' }];
  });
  return { s, reads: () => reads };
}

for (const version of ['2026-07-28', '2025-11-25'] as const) {
  describe(`subscription coverage (${version})`, () => {
    it('routes file:///a/b but not file:///ab to a subscriber of file:///a, on both sides', async () => {
      const { s } = fileServer();
      const { client } = await connectPair(s, { version });
      const a: string[] = [];
      const ab: string[] = [];
      const subA = await client.subscribe({ resourceSubscriptions: ['file:///a'] }, (_m, p) => a.push(String(p.uri)));
      const subAb = await client.subscribe({ resourceSubscriptions: ['file:///ab'] }, (_m, p) =>
        ab.push(String(p.uri)),
      );
      for (const uri of ['file:///ab', 'file:///a/b', 'file:///a', 'file:///abc']) await s.resourceUpdated(uri);
      await sleep(30);
      assert.deepEqual(a, ['file:///a/b', 'file:///a']);
      assert.deepEqual(ab, ['file:///ab']);
      await subA.close();
      await subAb.close();
      await client.close();
    });
  });
}

describe('client cache invalidation follows the same rule', () => {
  it('an update of file:///a drops cached reads of file:///a and file:///a/b, not of file:///ab', async () => {
    const { s, reads } = fileServer();
    const { client } = await connectPair(s, { version: '2026-07-28' });
    const sub = await client.subscribe({ resourceSubscriptions: ['file:///a'] }, () => {});
    for (const uri of ['file:///a', 'file:///a/b', 'file:///ab']) await client.readResource(uri);
    assert.equal(reads(), 3);
    for (const uri of ['file:///a', 'file:///a/b', 'file:///ab']) await client.readResource(uri);
    assert.equal(reads(), 3, 'all three are cached');
    await s.resourceUpdated('file:///a');
    await sleep(30);
    await client.readResource('file:///ab');
    assert.equal(reads(), 3, 'file:///ab is not under file:///a');
    await client.readResource('file:///a/b');
    await client.readResource('file:///a');
    assert.equal(reads(), 5);
    await sub.close();
    await client.close();
  });
});
