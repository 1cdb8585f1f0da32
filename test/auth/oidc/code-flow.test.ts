// End to end against oidc-provider: the tsmcp client registers (DCR), logs in through loopbackLogin with a
// headless user, gets a JWT access token for the MCP resource (RFC 8707 `aud`) and calls a tool.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { AuthError, MemoryTokenStore, oauthClient } from '../../../src/auth/client/index.js';
import { loopbackLogin } from '../../../src/auth/node/index.js';
import { connect, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

let as: TestAs;
let rs: Rs;
before(async () => {
  as = await startAs();
  rs = await startRs(as);
});
after(() => as.close());

describe('authorization code + PKCE + DCR with oidc-provider', () => {
  it('gets a JWT for the resource and the handler sees the AS account as subject', async () => {
    const store = new MemoryTokenStore();
    const auth = oauthClient({ serverUrl: rs.url, store, ...loopbackLogin({ open: (u) => as.login(u) }) });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'alice');
      assert.deepEqual(me.scopes, ['mcp:tools']);
      const client = await store.getClient(as.issuer);
      assert.ok(client?.client_id, 'registered by DCR');
      assert.equal(me.clientId, client.client_id);
      const tokens = await store.getTokens(as.issuer, rs.url);
      const claims = decodeJwt(tokens!.access_token);
      assert.equal(claims.aud, rs.url, 'aud is the resource, verbatim');
      assert.equal(claims.iss, as.issuer);
      assert.ok(tokens!.refresh_token, 'a refresh token was issued');
      assert.equal(as.counts.get('registration_create.success'), 1);
      assert.equal(as.counts.get('authorization_code'), 1);
    } finally {
      await c.close();
    }
  });
});

/** A fetch that hands oidc-provider's metadata to `edit` before the client reads it. */
function editMetadata(edit: (doc: Record<string, unknown>) => void): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (
      !url.pathname.startsWith('/.well-known/') ||
      (!url.pathname.includes('-configuration') && !url.pathname.includes('authorization-server')) ||
      !res.ok
    )
      return res;
    const doc = (await res.json()) as Record<string, unknown>;
    edit(doc);
    return Response.json(doc);
  };
}

describe("what oidc-provider won't send, rewritten on the way to the client", () => {
  /** Connects a fresh client; resolves the AuthError it fails with (or fails the test). */
  async function refusal(o: { fetch?: typeof fetch; callback?: (cb: URL) => void }): Promise<AuthError> {
    const login = loopbackLogin({ open: (u) => as.login(u) });
    const auth = oauthClient({
      serverUrl: rs.url,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      redirectUri: login.redirectUri,
      redirect: async (u) => {
        const cb = new URL(await login.redirect(u));
        o.callback?.(cb);
        return cb;
      },
    });
    try {
      const c = await connect(rs.url, auth);
      await c.close();
    } catch (e) {
      await login.close();
      const err = e instanceof AuthError ? e : (e as { cause?: unknown }).cause;
      assert.ok(err instanceof AuthError, `a typed AuthError, got ${String(e)}`);
      return err;
    }
    assert.fail('the client connected');
  }

  it('metadata for another issuer: TSMCP_AUTH_ISSUER_MISMATCH naming both', async () => {
    const e = await refusal({ fetch: editMetadata((d) => (d.issuer = `${as.issuer}/`)) });
    assert.equal(e.code, 'TSMCP_AUTH_ISSUER_MISMATCH');
    assert.equal(e.field, 'issuer');
    assert.equal(e.expected, as.issuer);
    assert.equal(e.received, `${as.issuer}/`);
  });

  it('metadata without S256: TSMCP_AUTH_PKCE_UNSUPPORTED', async () => {
    const e = await refusal({ fetch: editMetadata((d) => (d.code_challenge_methods_supported = ['plain'])) });
    assert.equal(e.code, 'TSMCP_AUTH_PKCE_UNSUPPORTED');
    assert.equal(e.field, 'code_challenge_methods_supported');
    assert.equal(e.received, '["plain"]');
  });

  it('an authorization response from another issuer (RFC 9207): TSMCP_AUTH_ISS_MISMATCH', async () => {
    const codes = as.counts.get('authorization_code') ?? 0;
    const e = await refusal({ callback: (cb) => cb.searchParams.set('iss', 'http://127.0.0.1:1') });
    assert.equal(e.code, 'TSMCP_AUTH_ISS_MISMATCH');
    assert.equal(e.expected, as.issuer);
    assert.equal(e.received, 'http://127.0.0.1:1');
    assert.equal(as.counts.get('authorization_code') ?? 0, codes, 'the code was not redeemed');
  });

  it('an authorization response without the iss the AS advertises: TSMCP_AUTH_ISS_MISSING', async () => {
    const e = await refusal({ callback: (cb) => cb.searchParams.delete('iss') });
    assert.equal(e.code, 'TSMCP_AUTH_ISS_MISSING');
    assert.equal(e.field, 'iss');
  });
});
