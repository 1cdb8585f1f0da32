// Against oidc-provider issuing opaque tokens (RS side: RFC 7662 introspection) and requiring DPoP nonces:
// the code flow with introspection, a Client ID Metadata Document as client_id, and DPoP-bound tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { MemoryTokenStore, oauthClient } from '../../../src/auth/client/index.js';
import { loopbackLogin } from '../../../src/auth/node/index.js';
import { connect, RS_CLIENT, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

const CIMD_URL = 'https://client.test/tsmcp.json';
const SECRET = 'svc-secret-svc-secret-svc-secret-svc';

let as: TestAs;
let rs: Rs;
before(async () => {
  as = await startAs({
    format: 'opaque',
    dpopNonce: true,
    clients: [
      RS_CLIENT,
      {
        client_id: 'svc',
        client_secret: SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    cimd: {
      [CIMD_URL]: {
        client_id: CIMD_URL,
        client_name: 'tsmcp via CIMD',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'], // RFC 8252 §7.3: any loopback port
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
    },
  });
  rs = await startRs(as, { verifier: 'introspection' });
});
after(() => as.close());

/** The AS's introspection answer for `token`, asked with the RS's credentials. */
async function introspect(token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${as.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${RS_CLIENT.client_id}:${RS_CLIENT.client_secret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('opaque tokens and introspection with oidc-provider', () => {
  it('code flow: the RS introspects the opaque token; the handler sees the account', async () => {
    const store = new MemoryTokenStore();
    const auth = oauthClient({ serverUrl: rs.url, store, ...loopbackLogin({ open: (u) => as.login(u) }) });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'alice');
      assert.deepEqual(me.scopes, ['mcp:tools']);
      const token = (await store.getTokens(as.issuer, rs.url))!.access_token;
      assert.throws(() => decodeJwt(token), 'opaque, not a JWT');
      assert.equal((await introspect(token)).aud, rs.url);
    } finally {
      await c.close();
    }
  });

  it('a Client ID Metadata Document URL is the client_id: no registration, the AS fetched the document', async () => {
    const store = new MemoryTokenStore();
    const registrations = as.counts.get('registration_create.success') ?? 0;
    const auth = oauthClient({
      serverUrl: rs.url,
      store,
      clientMetadataUrl: CIMD_URL,
      ...loopbackLogin({ open: (u) => as.login(u) }),
    });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'alice');
      assert.equal(me.clientId, CIMD_URL);
      assert.equal(as.counts.get('registration_create.success') ?? 0, registrations, 'no DCR');
      assert.ok((as.counts.get('cimd.fetch') ?? 0) >= 1, 'the AS fetched the document');
    } finally {
      await c.close();
    }
  });
});

describe('DPoP with oidc-provider (nonces required)', () => {
  /** The resource server requiring DPoP-bound tokens and its own nonces (RFC 9449 §7, §9). */
  let dpopRs: Rs;
  before(async () => {
    dpopRs = await startRs(as, { verifier: 'introspection', dpop: { required: true, nonce: true } });
  });
  /** An authorized client_credentials client with DPoP forced, and the proof headers of one call. */
  async function dpopClient() {
    const store = new MemoryTokenStore();
    const auth = oauthClient({
      serverUrl: rs.url,
      store,
      dpop: { force: true },
      grant: { type: 'client_credentials', clientId: 'svc', clientSecret: SECRET },
    });
    return { auth, store };
  }

  it('gets a DPoP-bound token after the AS nonce round trip; the call carries a proof for that key', async () => {
    const { auth, store } = await dpopClient();
    const ok = as.counts.get('client_credentials') ?? 0;
    const nonces = as.counts.get('client_credentials:use_dpop_nonce') ?? 0;
    const challenge = new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    assert.equal(await auth.onUnauthorized(challenge), true);
    assert.equal(as.counts.get('client_credentials:use_dpop_nonce'), nonces + 1, 'the AS asked for its nonce once');
    assert.equal(as.counts.get('client_credentials'), ok + 1, 'then issued the token');
    const tokens = (await store.getTokens(as.issuer, rs.url))!;
    assert.equal(tokens.token_type, 'DPoP');

    const h = await auth.headers({ method: 'POST', url: `${rs.url}?x=1` });
    assert.equal(h.authorization, `DPoP ${tokens.access_token}`);
    const header = decodeProtectedHeader(h.dpop!);
    const proof = decodeJwt(h.dpop!);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(proof.htm, 'POST');
    assert.equal(proof.htu, rs.url, 'htu without the query');
    assert.equal(typeof proof.ath, 'string');
    const info = await introspect(tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.token_type, 'DPoP');
    assert.deepEqual(info.cnf, { jkt: await calculateJwkThumbprint(header.jwk as JWK) }, 'bound to the proof key');
  });

  it('the tsmcp RS (DPoP required, with nonces) accepts the DPoP-bound token with its proof', async () => {
    const store = new MemoryTokenStore();
    const auth = oauthClient({
      serverUrl: dpopRs.url,
      store,
      grant: { type: 'client_credentials', clientId: 'svc', clientSecret: SECRET },
    });
    const c = await connect(dpopRs.url, auth);
    try {
      // Not forced: the RS's DPoP challenge and metadata made the client use DPoP. (oidc-provider's
      // introspection of a client_credentials token names the client, no subject.)
      assert.equal((await whoami(c)).clientId, 'svc');
      assert.equal((await whoami(c)).clientId, 'svc', 'a second call with a fresh proof');
      const tokens = (await store.getTokens(as.issuer, dpopRs.url))!;
      assert.equal(tokens.token_type, 'DPoP');
      // The same token without its proof is refused: the RS checks the binding, not just the token.
      const bare = await fetch(dpopRs.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      assert.equal(bare.status, 401);
      assert.match(bare.headers.get('www-authenticate') ?? '', /^DPoP /);
    } finally {
      await c.close();
    }
  });
});
