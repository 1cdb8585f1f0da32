// The OAuth client's state across requests and restarts: a DPoP-bound token and its key survive a
// restart through a FileTokenStore (same key, no new token request), and a DPoP-Nonce the resource
// rotates on successful responses is used by the next proof.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type HttpAuthProvider, MemoryTokenStore } from '../../src/auth/client/index.js';
import { FileTokenStore } from '../../src/auth/node/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { listenWeb } from '../helpers/listen.js';
import { connectedClient, hi, tokenWorld } from './token-world.js';

describe('OAuth client state in the TokenStore', () => {
  it('a restarted client reuses a stored DPoP-bound token with proofs from the same key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsmcp-store-'));
    try {
      const world = await tokenWorld({ dpop: true });
      const path = join(dir, 'tokens.json');
      const first = await connectedClient(world, new FileTokenStore(path));
      assert.equal(await hi(first.client), 'hi');
      await first.client.close();
      assert.deepEqual(world.seen.grants, ['authorization_code']);
      const firstKey = world.seen.proofJkts[0];

      const second = await connectedClient(world, new FileTokenStore(path)); // a new process, later
      try {
        assert.equal(await hi(second.client), 'hi');
      } finally {
        await second.client.close();
      }
      assert.deepEqual(world.seen.errors, []);
      assert.deepEqual(world.seen.grants, ['authorization_code'], 'no token request after the restart');
      assert.equal(world.seen.authorizations, 1);
      assert.ok(world.seen.proofJkts.length >= 2);
      assert.deepEqual(new Set(world.seen.proofJkts), new Set([firstKey]), 'every proof from the stored key');
      if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(dir), ['tokens.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the DPoP-Nonce a resource rotates on successful responses for the next proof', async () => {
    const world = await tokenWorld({ dpop: true, rotateRsNonce: true });
    const { client } = await connectedClient(world, new MemoryTokenStore());
    try {
      for (let i = 0; i < 4; i++) assert.equal(await hi(client), 'hi');
    } finally {
      await client.close();
    }
    assert.deepEqual(world.seen.errors, []);
    assert.equal(
      world.seen.rsNonceChallenges,
      1,
      'only the first proof lacks a nonce; later ones carry the rotated one',
    );
  });

  it('the HTTP client transport shows every response to the provider: POSTs and the legacy GET stream', async () => {
    const handler = createWebHandler(new McpServer({ name: 's', version: '1' }));
    let serverGotGet!: () => void;
    const gotGet = new Promise<void>((r) => (serverGotGet = r));
    const port = await listenWeb((req) => {
      if (req.method === 'GET') serverGotGet();
      return handler(req);
    });
    const url = `http://127.0.0.1:${port}/mcp`;
    const seen: string[] = [];
    const auth: HttpAuthProvider = {
      headers: () => ({}),
      onUnauthorized: async () => false,
      onResponse: (res, req) => void seen.push(`${req.method} ${res.status}`),
    };
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
    await client.connect(new StreamableHttpClientTransport(url, { auth }));
    try {
      await gotGet; // the client opens its GET stream after initialized
      await client.ping(); // one more exchange: the stream's response headers came back before this one
    } finally {
      await client.close();
    }
    assert.ok(seen.includes('POST 200'), seen.join());
    assert.ok(seen.includes('GET 200'), seen.join());
  });
});
