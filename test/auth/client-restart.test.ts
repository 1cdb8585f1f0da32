// A restarted OAuth client over a FileTokenStore: what discovery found is kept in the store per MCP
// server URL, so stored tokens go out on the first request (no 401, no discovery fetch); a later 401
// still re-reads the PRM and AS metadata, then refreshes. Counted at a loopback AS + RS.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileTokenStore } from '../../src/auth/node/index.js';
import { connectedClient, hi, tokenWorld } from './token-world.js';

describe('OAuth client restart over a FileTokenStore', () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  for (const dpop of [false, true])
    it(`sends stored ${dpop ? 'DPoP' : 'Bearer'} tokens on its first request: no 401, no discovery; a later 401 re-discovers and refreshes`, async () => {
      dir ||= await mkdtemp(join(tmpdir(), 'tsmcp-restart-'));
      const path = join(dir, `tokens-${dpop}.json`);
      const world = await tokenWorld({ dpop });
      const first = await connectedClient(world, new FileTokenStore(path));
      assert.equal(await hi(first.client), 'hi');
      await first.client.close();
      assert.equal(world.seen.unauthorized, 1, 'the first run discovers on a 401');
      const discoveredOnce = world.seen.discovery.length;
      assert.ok(discoveredOnce >= 2, 'PRM and AS metadata');
      assert.ok(/"discovery"/.test(await readFile(path, 'utf8')), 'the discovery record is in the file');

      const second = await connectedClient(world, new FileTokenStore(path)); // a new process, later
      try {
        assert.equal(await hi(second.client), 'hi');
        assert.equal(world.seen.unauthorized, 1, 'no 401 before the first successful call after the restart');
        assert.equal(world.seen.discovery.length, discoveredOnce, 'no discovery fetch after the restart');
        assert.deepEqual(world.seen.grants, ['authorization_code']);

        world.state.live.clear(); // the RS starts refusing the token
        assert.equal(await hi(second.client), 'hi');
      } finally {
        await second.client.close();
      }
      assert.deepEqual(world.seen.errors, []);
      assert.equal(world.seen.unauthorized, 2);
      assert.deepEqual(
        world.seen.discovery.slice(discoveredOnce),
        world.seen.discovery.slice(0, discoveredOnce),
        'the 401 re-read the PRM and the AS metadata',
      );
      assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token']);
      assert.equal(world.seen.authorizations, 1);
      assert.equal(world.seen.presented.at(-1), 'at-2');
    });

  it('after a restart, an AS migration seen on a 401 replaces the record: a new authorization there, then used on the next restart', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'tsmcp-restart-'));
    const path = join(dir, 'tokens-moved.json');
    const world = await tokenWorld();
    const first = await connectedClient(world, new FileTokenStore(path));
    assert.equal(await hi(first.client), 'hi');
    await first.client.close();
    const second = await connectedClient(world, new FileTokenStore(path));
    try {
      assert.equal(await hi(second.client), 'hi');
      world.state.as = 'as2'; // the resource moves to another authorization server
      world.state.live.clear();
      assert.equal(await hi(second.client), 'hi');
    } finally {
      await second.client.close();
    }
    assert.deepEqual(world.seen.grants, ['authorization_code', 'authorization_code'], 'no refresh at the new AS');
    assert.equal(world.seen.authorizations, 2);
    const record = await new FileTokenStore(path).getDiscovery(world.url);
    assert.equal(record?.issuer, `${new URL(world.url).origin}/as2`);
    const unauthorized = world.seen.unauthorized;
    const discovered = world.seen.discovery.length;
    const third = await connectedClient(world, new FileTokenStore(path));
    try {
      assert.equal(await hi(third.client), 'hi');
    } finally {
      await third.client.close();
    }
    assert.equal(world.seen.unauthorized, unauthorized, 'the new AS tokens went out on the first request');
    assert.equal(world.seen.discovery.length, discovered);
    assert.equal(world.seen.presented.at(-1), 'at-2');
    assert.deepEqual(world.seen.errors, []);
  });

  it('a discovery record older than discoveryMaxAgeSeconds is not used: the first request discovers on its 401', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'tsmcp-restart-'));
    const path = join(dir, 'tokens-stale.json');
    const world = await tokenWorld();
    const first = await connectedClient(world, new FileTokenStore(path));
    assert.equal(await hi(first.client), 'hi');
    await first.client.close();
    const discoveredOnce = world.seen.discovery.length;
    const second = await connectedClient(world, new FileTokenStore(path), { discoveryMaxAgeSeconds: 0 });
    try {
      assert.equal(await hi(second.client), 'hi');
    } finally {
      await second.client.close();
    }
    assert.equal(world.seen.unauthorized, 2, 'the restarted client learnt the AS from a 401 again');
    assert.equal(world.seen.discovery.length, 2 * discoveredOnce);
    assert.deepEqual(world.seen.grants, ['authorization_code'], 'then used the stored tokens');
  });
});
