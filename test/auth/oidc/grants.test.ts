// Non-interactive grants end to end against oidc-provider: client_credentials (client_secret_basic and
// private_key_jwt), the workload-identity JWT-bearer grant (a refused assertion surfaces once, typed), and
// interop: a token oauth4webapi obtained, presented by the official v2 client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { AuthError, oauthClient } from '../../../src/auth/client/index.js';
import { callTool } from '../helpers.js';
import { connect, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SECRET = 'svc-secret-svc-secret-svc-secret-svc';
const noRedirects = { grant_types: [], response_types: [], redirect_uris: [] };

let as: TestAs;
let rs: Rs;
let svcKey: CryptoKeyPair;
before(async () => {
  svcKey = await generateKeyPair('ES256', { extractable: true });
  as = await startAs({
    clients: [
      { ...noRedirects, client_id: 'svc-basic', client_secret: SECRET, grant_types: ['client_credentials'] },
      {
        ...noRedirects,
        client_id: 'svc-jwt',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(svcKey.publicKey)), kid: 'svc', alg: 'ES256', use: 'sig' }] },
      },
      { ...noRedirects, client_id: 'workload', grant_types: [JWT_BEARER], token_endpoint_auth_method: 'none' },
    ],
  });
  rs = await startRs(as);
});
after(() => as.close());

/** Token requests the AS saw, by grant type and by error. */
const counted = () => Object.fromEntries(as.counts);

describe('client_credentials with oidc-provider', () => {
  it('client_secret_basic: the handler sees the client as subject and client id', async () => {
    const auth = oauthClient({
      serverUrl: rs.url,
      grant: { type: 'client_credentials', clientId: 'svc-basic', clientSecret: SECRET },
    });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'svc-basic');
      assert.equal(me.clientId, 'svc-basic');
      assert.deepEqual(me.scopes, ['mcp:tools']);
    } finally {
      await c.close();
    }
  });

  it('private_key_jwt: the AS accepts the client assertion', async () => {
    const before = as.counts.get('client_credentials') ?? 0;
    const auth = oauthClient({
      serverUrl: rs.url,
      grant: {
        type: 'client_credentials',
        clientId: 'svc-jwt',
        privateKey: await exportPKCS8(svcKey.privateKey),
        algorithm: 'ES256',
      },
    });
    const c = await connect(rs.url, auth);
    try {
      assert.equal((await whoami(c)).subject, 'svc-jwt');
      assert.equal(as.counts.get('client_credentials'), before + 1);
    } finally {
      await c.close();
    }
  });

  it("private_key_jwt without `algorithm`: the key's algorithm, not the AS list's first (HS256 here)", async () => {
    const auth = oauthClient({
      serverUrl: rs.url,
      grant: { type: 'client_credentials', clientId: 'svc-jwt', privateKey: await exportPKCS8(svcKey.privateKey) },
    });
    const c = await connect(rs.url, auth);
    try {
      assert.equal((await whoami(c)).subject, 'svc-jwt');
    } finally {
      await c.close();
    }
  });
});

describe('jwt-bearer (workload identity) with oidc-provider', () => {
  it('a good workload JWT gets a token; the handler sees the workload subject', async () => {
    const auth = oauthClient({
      serverUrl: rs.url,
      grant: {
        type: 'jwt_bearer',
        clientId: 'workload',
        assertion: (ctx) => as.workloadJwt({ sub: 'spiffe://test/worker', aud: ctx.issuer }),
      },
    });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'spiffe://test/worker');
      assert.equal(me.clientId, 'workload');
    } finally {
      await c.close();
    }
  });

  for (const [what, jwt] of [
    ['expired', () => as.workloadJwt({ sub: 'w', aud: as.issuer }, -120)],
    ['for another audience', () => as.workloadJwt({ sub: 'w', aud: 'https://other-as.test' })],
  ] as const)
    it(`an ${what} workload JWT: the AS refuses once, the client surfaces invalid_grant, no retry, no other grant`, async () => {
      as.counts.clear();
      // A server this process never connected to: the client probes its revision (no era cache).
      const fresh = await startRs(as);
      let asked = 0;
      const auth = oauthClient({
        serverUrl: fresh.url,
        grant: { type: 'jwt_bearer', clientId: 'workload', assertion: () => (asked++, jwt()) },
      });
      await assert.rejects(
        async () => {
          const c = await connect(fresh.url, auth);
          try {
            await whoami(c);
          } finally {
            await c.close();
          }
        },
        (e: unknown) => {
          const err = (e as { cause?: unknown }).cause instanceof AuthError ? (e as { cause: AuthError }).cause : e;
          assert.ok(err instanceof AuthError, `a typed AuthError, got ${String(e)}`);
          assert.equal(err.code, 'TSMCP_AUTH_TOKEN');
          assert.equal(err.field, 'error');
          assert.equal(err.received, 'invalid_grant');
          return true;
        },
      );
      assert.equal(asked, 1, 'the assertion callback ran once');
      assert.deepEqual(counted(), { [`${JWT_BEARER}:invalid_grant`]: 1 }, 'one token request, no other grant');
    });
});

describe('interop with oidc-provider', () => {
  const insecure = { [oauth.allowInsecureRequests]: true }; // loopback http only

  async function oauth4webapiToken(resource: string): Promise<string> {
    const issuer = new URL(as.issuer);
    const meta = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const client = { client_id: 'svc-basic' };
    const res = await oauth.clientCredentialsGrantRequest(
      meta,
      client,
      oauth.ClientSecretBasic(SECRET),
      { resource, scope: 'mcp:tools' },
      insecure,
    );
    return (await oauth.processClientCredentialsResponse(meta, client, res)).access_token;
  }

  it('oauth4webapi gets the token, the official v2 client presents it to the tsmcp server', async () => {
    const token = await oauth4webapiToken(rs.url);
    const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
    await c.connect(new V2Http(new URL(rs.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      const r = (await c.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
      assert.equal(JSON.parse(r.content[0]!.text).subject, 'svc-basic');
    } finally {
      await c.close();
    }
  });

  it('a token the same AS issued for another resource is refused: 401 invalid_token', async () => {
    const token = await oauth4webapiToken(`${rs.origin}/other`);
    const r = await callTool(rs.url, 'whoami', `Bearer ${token}`);
    assert.equal(r.status, 401);
    assert.match(r.challenge ?? '', /error="invalid_token"/);
  });
});
