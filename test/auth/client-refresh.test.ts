// Refresh (RFC 6749 §6) in the OAuth client over the HTTP client transport, against a loopback AS whose
// refresh tokens are single-use (rotation): due tokens refreshed before they are sent, one refresh for
// parallel calls, stored tokens used after a restart, lost races settled from the store (never wiped),
// and a store lock so two clients (two processes) on one token file send one refresh.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryTokenStore, type TokenStore } from '../../src/auth/client/index.js';
import { FileTokenStore } from '../../src/auth/node/index.js';
import { distPath } from '../helpers/raw-stdio.js';
import { connectedClient, hi, tokenWorld, type World } from './token-world.js';

const refreshes = (w: World) => w.seen.grants.filter((g) => g === 'refresh_token').length;

/** A custom store with only the four required methods (no lock), over one shared memory store. */
function plainStore(inner = new MemoryTokenStore()): TokenStore {
  return {
    getClient: (i) => inner.getClient(i),
    setClient: (i, c) => inner.setClient(i, c),
    getTokens: (i, r) => inner.getTokens(i, r),
    setTokens: (i, r, t) => inner.setTokens(i, r, t),
  };
}

/** Two clients holding the same tokens (the second loaded them from the store); then the RS drops them. */
async function twoClientsOneGrant(world: World, stores: [TokenStore, TokenStore]) {
  const a = await connectedClient(world, stores[0]);
  assert.equal(await hi(a.client), 'hi');
  const b = await connectedClient(world, stores[1]);
  assert.equal(await hi(b.client), 'hi');
  assert.deepEqual(world.seen.grants, ['authorization_code'], 'the second client uses the stored tokens');
  world.state.live.clear(); // both access tokens expire at the RS
  // A reused refresh token is refused only once the winner presented its new token (so it is stored).
  let release!: () => void;
  world.state.holdReuse = new Promise<void>((r) => (release = r));
  world.state.onPresented = (t) => {
    if (t !== 'at-1') release();
  };
  return [a.client, b.client] as const;
}

describe('OAuth client refresh', () => {
  it('refreshes a due token before sending it: N parallel calls, one refresh', async () => {
    const world = await tokenWorld();
    world.state.expiresIn = 1; // within an explicit 30 s refresh skew: due as soon as issued
    const { client } = await connectedClient(world, new MemoryTokenStore(), { refreshSkewSeconds: 30 });
    try {
      const before = refreshes(world);
      const answers = await Promise.all(Array.from({ length: 5 }, () => hi(client)));
      assert.deepEqual(answers, ['hi', 'hi', 'hi', 'hi', 'hi']);
      assert.equal(refreshes(world) - before, 1, 'one refresh for five parallel calls');
    } finally {
      await client.close();
    }
    assert.deepEqual(world.seen.errors, []);
    assert.equal(world.seen.authorizations, 1);
    assert.ok(!world.seen.presented.includes('at-1'), 'the due token from the code grant was never sent');
  });

  it('a short-lived token (20 s, under the 30 s skew) is refreshed half its lifetime early, not before every call', async () => {
    const world = await tokenWorld();
    world.state.expiresIn = 20;
    const { client } = await connectedClient(world, new MemoryTokenStore());
    try {
      for (let i = 0; i < 3; i++) assert.equal(await hi(client), 'hi');
    } finally {
      await client.close();
    }
    assert.equal(refreshes(world), 0);
  });

  it('after a restart, loads the stored tokens and refreshes them instead of authorizing again', async () => {
    const world = await tokenWorld();
    const store = new MemoryTokenStore();
    const first = await connectedClient(world, store);
    assert.equal(await hi(first.client), 'hi');
    await first.client.close();
    const stored = (await store.getTokens(world.issuer, world.url))!;
    await store.setTokens(world.issuer, world.url, { ...stored, expiresAt: 0 }); // time passed
    const second = await connectedClient(world, store);
    try {
      assert.equal(await hi(second.client), 'hi');
    } finally {
      await second.client.close();
    }
    assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token']);
    assert.equal(world.seen.authorizations, 1);
    assert.equal(world.seen.presented.at(-1), 'at-2');
  });

  it('stores rotated tokens before it uses them', async () => {
    const world = await tokenWorld();
    world.state.expiresIn = 1; // with an explicit 30 s skew, due as soon as issued: every call refreshes
    const store = new MemoryTokenStore();
    const unstored: string[] = [];
    world.state.onPresented = async (t) => {
      if ((await store.getTokens(world.issuer, world.url))?.access_token !== t) unstored.push(t);
    };
    const { client } = await connectedClient(world, store, { refreshSkewSeconds: 30 });
    try {
      for (let i = 0; i < 3; i++) assert.equal(await hi(client), 'hi');
    } finally {
      await client.close();
    }
    assert.ok(refreshes(world) >= 3);
    assert.deepEqual(unstored, []);
  });

  it('a lost refresh race re-reads the store and uses the winner’s tokens: no new login, nothing wiped', async () => {
    const world = await tokenWorld();
    const shared = new MemoryTokenStore();
    const [a, b] = await twoClientsOneGrant(world, [plainStore(shared), plainStore(shared)]);
    try {
      assert.deepEqual(await Promise.all([hi(a), hi(b)]), ['hi', 'hi']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.deepEqual(world.seen.errors, []);
    assert.deepEqual(
      world.seen.grants,
      ['authorization_code', 'refresh_token', 'refresh_token'],
      'no lock: both raced',
    );
    assert.equal(world.seen.authorizations, 1, 'the loser did not log in again');
    const kept = await shared.getTokens(world.issuer, world.url);
    assert.equal(kept?.access_token, 'at-2');
    assert.equal(kept?.refresh_token, 'rt-2');
  });

  it('two clients on one MemoryTokenStore take its lock: one refresh, the second takes the stored tokens', async () => {
    const world = await tokenWorld();
    const shared = new MemoryTokenStore();
    const [a, b] = await twoClientsOneGrant(world, [shared, shared]);
    try {
      assert.deepEqual(await Promise.all([hi(a), hi(b)]), ['hi', 'hi']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token']);
  });

  it('a refused refresh with nothing newer stored authorizes again without wiping the store first', async () => {
    const world = await tokenWorld();
    const store = new MemoryTokenStore();
    const duringLogin: (string | undefined)[] = [];
    let client: Awaited<ReturnType<typeof connectedClient>>['client'] | undefined;
    try {
      ({ client } = await connectedClient(world, store, {
        onRedirect: () => void store.getTokens(world.issuer, world.url).then((t) => duringLogin.push(t?.access_token)),
      }));
      assert.equal(await hi(client), 'hi');
      world.state.live.clear();
      world.state.refresh.clear(); // the AS revoked the grant: the refresh token is refused
      assert.equal(await hi(client), 'hi');
    } finally {
      await client?.close();
    }
    assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token', 'authorization_code']);
    assert.deepEqual(duringLogin, [undefined, 'at-1'], 'the refused tokens stayed stored during the new login');
  });
});
describe('FileTokenStore lock around refresh', () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  it('two clients on one token file racing a single-use refresh token send one refresh; both keep working', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsmcp-lock-'));
    const path = join(dir, 'tokens.json');
    const world = await tokenWorld();
    const [a, b] = await twoClientsOneGrant(world, [new FileTokenStore(path), new FileTokenStore(path)]);
    try {
      assert.deepEqual(await Promise.all([hi(a), hi(b)]), ['hi', 'hi']);
      assert.deepEqual(await Promise.all([hi(a), hi(b)]), ['hi', 'hi']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.deepEqual(world.seen.errors, []);
    assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token'], 'one refresh reached the AS');
    assert.equal(world.seen.authorizations, 1);
    assert.equal((await new FileTokenStore(path).getTokens(world.issuer, world.url))?.refresh_token, 'rt-2');
  });
});

/** A child OAuth client process on the token file (test/fixtures/oauth-refresh-child.ts), killed after 60 s. */
function child(url: string, path: string) {
  const p = spawn(process.execPath, [distPath('test/fixtures/oauth-refresh-child.js'), url, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 60_000,
  });
  let out = '';
  let readySeen!: () => void;
  const ready = new Promise<void>((r) => (readySeen = r));
  p.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.startsWith('ready\n')) readySeen();
  });
  const done = new Promise<{ answer: string; sent: string[] }>((resolve, reject) =>
    p.once('exit', (code) => {
      readySeen(); // a child that died early releases the barrier; its missing line fails below
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
      else reject(new Error(`child exited ${code} without an answer: ${out}`));
    }),
  );
  return { ready, done };
}

describe('FileTokenStore lock across processes', () => {
  it('two child processes refreshing one due token on a shared file: one refresh reaches the AS, both work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsmcp-procs-'));
    try {
      const path = join(dir, 'tokens.json');
      const world = await tokenWorld();
      const store = new FileTokenStore(path);
      const first = await connectedClient(world, store);
      assert.equal(await hi(first.client), 'hi');
      await first.client.close();
      const stored = (await store.getTokens(world.issuer, world.url))!;
      await store.setTokens(world.issuer, world.url, { ...stored, expiresAt: 0 }); // due for both children
      // Holding the lock until both children run lines them up behind it, both holding the due token.
      const children = await store.lock(world.issuer, world.url, async () => {
        const both = [child(world.url, path), child(world.url, path)];
        await Promise.all(both.map((c) => c.ready));
        return both;
      });
      const [a, b] = await Promise.all(children.map((c) => c.done));
      assert.deepEqual(world.seen.errors, []);
      assert.deepEqual([a?.answer, b?.answer], ['hi', 'hi']);
      assert.deepEqual(world.seen.grants, ['authorization_code', 'refresh_token'], 'one refresh reached the AS');
      assert.equal(world.seen.authorizations, 1);
      assert.deepEqual(new Set([...a!.sent, ...b!.sent]), new Set(['at-2']), 'both sent the refreshed token only');
      assert.equal((await store.getTokens(world.issuer, world.url))?.refresh_token, 'rt-2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
