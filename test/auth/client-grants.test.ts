// The OAuth client's non-interactive grants through OAuthClient's public hooks, against a fake
// PRM / AS / token endpoint: private_key_jwt assertion claims (RFC 7523 §2.2), client_secret auth,
// and the JWT-bearer grant (RFC 7523 §2.1) surfacing an AS refusal once, without retry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { AuthError, type OAuthGrant, oauthClient } from '../../src/auth/client/index.js';

const SERVER = 'http://127.0.0.1:9/mcp';
const AS = 'http://127.0.0.1:9/as';

interface TokenCall {
  body: URLSearchParams;
  authorization: string | null;
}

/** A fake fetch: PRM, AS metadata (with `meta` merged in) and a token endpoint answering `answer`. */
function authServer(
  meta: Record<string, unknown> = {},
  answer = () => Response.json({ access_token: 'at', token_type: 'Bearer' }),
) {
  const calls: TokenCall[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === 'http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp')
      return Response.json({ resource: SERVER, authorization_servers: [AS] });
    if (url === 'http://127.0.0.1:9/.well-known/oauth-authorization-server/as')
      return Response.json({
        issuer: AS,
        authorization_endpoint: `${AS}/authorize`,
        token_endpoint: `${AS}/token`,
        code_challenge_methods_supported: ['S256'],
        ...meta,
      });
    if (url === `${AS}/token` && init?.method === 'POST') {
      const headers = new Headers(init.headers);
      calls.push({ body: new URLSearchParams(String(init.body)), authorization: headers.get('authorization') });
      return answer();
    }
    return new Response('nope', { status: 404 });
  }) as typeof fetch;
  return { f, calls };
}

const challenge = (scope?: string) =>
  new Response(null, {
    status: 401,
    headers: { 'www-authenticate': `Bearer${scope ? ` scope="${scope}"` : ''}` },
  });

async function authorize(grant: OAuthGrant, fake: ReturnType<typeof authServer>, scope?: string) {
  const client = oauthClient({ serverUrl: SERVER, grant, fetch: fake.f });
  assert.equal(await client.onUnauthorized(challenge(scope)), true);
  return client;
}

describe('client_credentials with private_key_jwt', () => {
  it('signs iss = sub = client_id, aud = issuer, a 60 s exp and a fresh jti; sends resource and scope', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const fake = authServer({ token_endpoint_auth_signing_alg_values_supported: ['ES256'] });
    const grant: OAuthGrant = { type: 'client_credentials', clientId: 'svc', privateKey: pem };
    const client = await authorize(grant, fake, 'read write');
    await client.onUnauthorized(challenge('read write'));
    assert.equal(fake.calls.length, 2);
    const jtis = new Set<unknown>();
    for (const { body, authorization } of fake.calls) {
      assert.equal(body.get('grant_type'), 'client_credentials');
      assert.equal(body.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(body.get('resource'), SERVER);
      assert.equal(body.get('scope'), 'read write');
      assert.equal(body.get('client_secret'), null);
      assert.equal(authorization, null);
      const { payload, protectedHeader } = await jwtVerify(body.get('client_assertion')!, publicKey, {
        audience: AS,
        issuer: 'svc',
        subject: 'svc',
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.exp! - payload.iat!, 60);
      assert.equal(typeof payload.jti, 'string');
      jtis.add(payload.jti);
    }
    assert.equal(jtis.size, 2, 'each assertion has its own jti');
    assert.deepEqual(client.headers(), { authorization: 'Bearer at' });
  });

  it('can address the token endpoint and honours the algorithm and lifetime given', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const fake = authServer();
    const grant: OAuthGrant = {
      type: 'client_credentials',
      clientId: 'svc',
      privateKey,
      algorithm: 'RS256',
      audience: 'token_endpoint',
      assertionLifetimeSeconds: 30,
    };
    await authorize(grant, fake);
    const body = fake.calls[0]!.body;
    assert.equal(body.get('scope'), null, 'no scope asked for, none sent');
    const { payload } = await jwtVerify(body.get('client_assertion')!, publicKey, { audience: `${AS}/token` });
    assert.equal(payload.exp! - payload.iat!, 30);
  });
});

describe('client_credentials with a secret', () => {
  it('uses Basic where offered, else client_secret_post', async () => {
    const basic = authServer({ token_endpoint_auth_methods_supported: ['client_secret_basic'] });
    await authorize({ type: 'client_credentials', clientId: 'a b', clientSecret: 's:1' }, basic);
    assert.equal(basic.calls[0]!.authorization, `Basic ${Buffer.from('a+b:s%3A1').toString('base64')}`);
    assert.equal(basic.calls[0]!.body.get('client_secret'), null);
    const post = authServer({ token_endpoint_auth_methods_supported: ['client_secret_post'] });
    await authorize({ type: 'client_credentials', clientId: 'a', clientSecret: 's' }, post);
    assert.equal(post.calls[0]!.authorization, null);
    assert.equal(post.calls[0]!.body.get('client_id'), 'a');
    assert.equal(post.calls[0]!.body.get('client_secret'), 's');
  });

  it('refuses a grant with both a secret and a key, or neither', () => {
    for (const grant of [
      { type: 'client_credentials', clientId: 'a', clientSecret: 's', privateKey: 'k' },
      { type: 'client_credentials', clientId: 'a' },
    ])
      assert.throws(() => oauthClient({ serverUrl: SERVER, grant: grant as OAuthGrant }), {
        code: 'TSMCP_AUTH_CONFIG',
      });
  });
});

describe('jwt_bearer', () => {
  it('sends the callback assertion with no client id, and tells the callback issuer, endpoint, resource, scope', async () => {
    const fake = authServer();
    const seen: unknown[] = [];
    await authorize(
      {
        type: 'jwt_bearer',
        assertion: (ctx) => {
          seen.push(ctx);
          return 'workload.jwt';
        },
      },
      fake,
      'mcp',
    );
    assert.deepEqual(seen, [{ issuer: AS, tokenEndpoint: `${AS}/token`, resource: SERVER, scope: 'mcp' }]);
    const { body, authorization } = fake.calls[0]!;
    assert.deepEqual(Object.fromEntries(body), {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'workload.jwt',
      scope: 'mcp',
      resource: SERVER,
    });
    assert.equal(authorization, null);
  });

  it('surfaces an AS refusal as a typed error after one request: no retry, no other grant', async () => {
    const fake = authServer({}, () => Response.json({ error: 'invalid_grant' }, { status: 400 }));
    const client = oauthClient({
      serverUrl: SERVER,
      grant: { type: 'jwt_bearer', assertion: () => 'x' },
      fetch: fake.f,
    });
    await assert.rejects(client.onUnauthorized(challenge()), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'TSMCP_AUTH_TOKEN');
      assert.equal(e.received, 'invalid_grant');
      return true;
    });
    assert.equal(fake.calls.length, 1);
    assert.deepEqual(client.headers(), {});
  });

  it('reports a failing or empty callback as TSMCP_AUTH_ASSERTION before any token request', async () => {
    const fake = authServer();
    for (const assertion of [
      () => {
        throw new Error('no workload identity here');
      },
      () => '',
    ]) {
      const client = oauthClient({ serverUrl: SERVER, grant: { type: 'jwt_bearer', assertion }, fetch: fake.f });
      await assert.rejects(client.onUnauthorized(challenge()), { code: 'TSMCP_AUTH_ASSERTION' });
    }
    assert.equal(fake.calls.length, 0);
  });
});
