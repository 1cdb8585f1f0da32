// Refresh (RFC 6749 §6) against oidc-provider with rotation: an expired access token costs one refresh,
// N parallel calls on it cost one refresh in all, and the AS answers a reused (rotated-away) refresh
// token with invalid_grant and revokes the whole grant (RFC 9700 §4.14.2).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { MemoryTokenStore, oauthClient } from '../../../src/auth/client/index.js';
import { loopbackLogin } from '../../../src/auth/node/index.js';
import { InvalidTokenError, type TokenVerifier } from '../../../src/auth/index.js';
import { connect, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

let as: TestAs;
let rs: Rs;
/** When set, the RS holds the first request carrying this token until the AS has refreshed once. */
let hold: string | undefined;
before(async () => {
  as = await startAs({ accessTokenTTL: 2 }); // short: the tests wait for expiry, bounded below
  const wrap = (v: TokenVerifier): TokenVerifier => ({
    async verify(token) {
      if (token === hold) {
        hold = undefined;
        await new Promise((r) => as.provider.once('grant.success', r));
      }
      return v.verify(token);
    },
  });
  rs = await startRs(as, { wrap });
});
after(() => as.close());

/** A logged-in client and its store. */
async function login() {
  const store = new MemoryTokenStore();
  const auth = oauthClient({ serverUrl: rs.url, store, ...loopbackLogin({ open: (u) => as.login(u) }) });
  const c = await connect(rs.url, auth);
  await whoami(c);
  return { c, store };
}

/** Waits (at most 50 × 100 ms) until the stored access token's `exp` has passed: the RS now refuses it. */
async function expire(store: MemoryTokenStore) {
  const exp = decodeJwt((await store.getTokens(as.issuer, rs.url))!.access_token).exp!;
  for (let i = 0; i < 50 && Date.now() / 1000 < exp + 0.05; i++) await sleep(100);
  assert.ok(Date.now() / 1000 >= exp, 'the access token expired');
}

/** A refresh request sent by hand (the client is public: client_id in the body). */
async function refreshAt(clientId: string, refreshToken: string) {
  const res = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      resource: rs.url,
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; access_token?: string } };
}

describe('refresh with oidc-provider (rotation)', () => {
  it('an expired access token costs one refresh; reusing the rotated-away refresh token revokes the grant', async () => {
    const { c, store } = await login();
    try {
      const first = (await store.getTokens(as.issuer, rs.url))!;
      // The client asked for offline_access too (the AS lists it); without a consent prompt oidc-provider
      // leaves it out of the grant, and the refresh must ask for what was granted, not for more.
      assert.equal(first.scope, 'mcp:tools');
      await expire(store);
      const refreshes = as.counts.get('refresh_token') ?? 0;
      assert.equal((await whoami(c)).subject, 'alice');
      assert.equal(as.counts.get('refresh_token'), refreshes + 1, 'one refresh');
      const second = (await store.getTokens(as.issuer, rs.url))!;
      assert.notEqual(second.access_token, first.access_token);
      assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'rotated and stored');

      // The old refresh token again (a thief's replay): refused, and the grant is gone.
      const clientId = (await store.getClient(as.issuer))!.client_id;
      const revoked = as.counts.get('grant.revoked') ?? 0;
      const replay = await refreshAt(clientId, first.refresh_token!);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal(as.counts.get('grant.revoked'), revoked + 1, 'the AS revoked the grant');
      const current = await refreshAt(clientId, second.refresh_token!);
      assert.equal(current.body.error, 'invalid_grant', "the legitimate client's refresh token died with it");
    } finally {
      await c.close();
    }
  });

  it('8 parallel calls on an expired access token: one refresh at the AS, every call succeeds', async () => {
    const { c, store } = await login();
    try {
      await expire(store);
      const refreshes = as.counts.get('refresh_token') ?? 0;
      const errors = as.counts.get('refresh_token:invalid_grant') ?? 0;
      const who = await Promise.all(Array.from({ length: 8 }, () => whoami(c)));
      assert.deepEqual(
        who.map((w) => w.subject),
        Array(8).fill('alice'),
      );
      assert.equal(as.counts.get('refresh_token'), refreshes + 1, 'one refresh for all 8 calls');
      assert.equal(as.counts.get('refresh_token:invalid_grant') ?? 0, errors, 'no refresh token reused');
    } finally {
      await c.close();
    }
  });

  it('a 401 for a token already replaced (it arrives after the refresh) sends again instead of refreshing again', async () => {
    // Its own AS with long-lived tokens, so no refresh happens ahead of expiry: the RS refuses the
    // current token (as if revoked) and holds one refusal until the AS has refreshed once.
    const as2 = await startAs();
    let revoked: string | undefined;
    let late: string | undefined;
    let refusals = 0;
    const store = new MemoryTokenStore();
    const rs2 = await startRs(as2, {
      wrap: (v) => ({
        async verify(token) {
          if (token === late) {
            late = undefined;
            // Until the client holds the refreshed tokens (stored before use), at most 100 × 20 ms.
            for (let i = 0; i < 100 && (await store.getTokens(as2.issuer, rs2.url))?.access_token === token; i++)
              await sleep(20);
            await sleep(50); // and has let the other calls' shared recovery settle
          }
          if (token === revoked) {
            refusals++;
            throw new InvalidTokenError('inactive', 'revoked by the test');
          }
          return v.verify(token);
        },
      }),
    });
    const auth = oauthClient({ serverUrl: rs2.url, store, ...loopbackLogin({ open: (u) => as2.login(u) }) });
    const c = await connect(rs2.url, auth);
    try {
      await whoami(c);
      revoked = late = (await store.getTokens(as2.issuer, rs2.url))!.access_token;
      const refreshes = as2.counts.get('refresh_token') ?? 0;
      const who = await Promise.all(Array.from({ length: 4 }, () => whoami(c)));
      assert.deepEqual(
        who.map((w) => w.subject),
        Array(4).fill('alice'),
      );
      assert.equal(late, undefined, 'one refusal was held until the refresh');
      assert.equal(refusals, 4, 'every call was refused once with the old token');
      assert.equal(as2.counts.get('refresh_token'), refreshes + 1, 'one refresh, the late 401 included');
    } finally {
      await c.close();
      await as2.close();
    }
  });
});
