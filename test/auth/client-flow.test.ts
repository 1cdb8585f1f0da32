// The OAuth client's interactive and grant flows through OAuthClient's public hooks, against a fake PRM /
// AS (metadata, registration, token endpoint) and a headless redirect: scope selection (offline_access),
// grant-only servers, and the bad-input list of issue 10, each a typed error naming document, field,
// expected and received.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError, MemoryTokenStore, type OAuthClientOptions, oauthClient } from '../../src/auth/client/index.js';

const ORIGIN = 'http://127.0.0.1:9';
const SERVER = `${ORIGIN}/mcp`;
const AS = `${ORIGIN}/as`;
const REDIRECT = 'http://127.0.0.1:1/callback';

interface Fake {
  f: typeof fetch;
  /** Authorization requests (the URL the client sent the user to). */
  authorizations: URL[];
  /** Token requests (form bodies). */
  tokens: URLSearchParams[];
  registrations: number;
  /** Every URL fetched, in order. */
  asked: string[];
}

interface FakeOptions {
  /** Merged into the AS metadata; a key set to undefined removes it. */
  meta?: Record<string, unknown>;
  /** Merged into the PRM. */
  prm?: Record<string, unknown>;
  /** The token endpoint's answer to the n-th token request (0-based). */
  token?: (body: URLSearchParams, n: number) => Response;
}

function fakeAs(o: FakeOptions = {}): Fake {
  const fake: Fake = { f: undefined as never, authorizations: [], tokens: [], registrations: 0, asked: [] };
  const meta = Object.fromEntries(
    Object.entries({
      issuer: AS,
      authorization_endpoint: `${AS}/authorize`,
      token_endpoint: `${AS}/token`,
      registration_endpoint: `${AS}/register`,
      code_challenge_methods_supported: ['S256'],
      ...o.meta,
    }).filter(([, v]) => v !== undefined),
  );
  fake.f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    fake.asked.push(url);
    if (url === `${ORIGIN}/.well-known/oauth-protected-resource/mcp`)
      return Response.json({ resource: SERVER, authorization_servers: [AS], ...o.prm });
    if (url === `${ORIGIN}/.well-known/oauth-authorization-server/as`) return Response.json(meta);
    if (url === `${AS}/register` && init?.method === 'POST') {
      fake.registrations++;
      return Response.json({ client_id: `client-${fake.registrations}` }, { status: 201 });
    }
    if (url === `${AS}/token` && init?.method === 'POST') {
      const body = new URLSearchParams(String(init.body));
      fake.tokens.push(body);
      const n = fake.tokens.length - 1;
      return o.token
        ? o.token(body, n)
        : Response.json({ access_token: `at-${n}`, token_type: 'Bearer', refresh_token: `rt-${n}` });
    }
    return new Response('nope', { status: 404 });
  }) as typeof fetch;
  return fake;
}

/** A headless login: records the authorization URL, answers with code + state (+ `iss` as given). */
function login(fake: Fake, iss: (issuer: string) => string | undefined = (i) => i) {
  return async (url: URL) => {
    fake.authorizations.push(url);
    const cb = new URL(REDIRECT);
    cb.searchParams.set('code', 'the-code');
    cb.searchParams.set('state', url.searchParams.get('state')!);
    const value = iss(AS);
    if (value !== undefined) cb.searchParams.set('iss', value);
    return cb;
  };
}

function interactive(
  fake: Fake,
  extra: Partial<OAuthClientOptions> = {},
  iss?: (issuer: string) => string | undefined,
) {
  return oauthClient({
    serverUrl: SERVER,
    redirectUri: REDIRECT,
    redirect: login(fake, iss),
    fetch: fake.f,
    ...extra,
  } as OAuthClientOptions);
}

const unauthorized = (scope?: string) =>
  new Response(null, { status: 401, headers: { 'www-authenticate': `Bearer${scope ? ` scope="${scope}"` : ''}` } });
const forbidden = (scope: string) =>
  new Response(null, {
    status: 403,
    headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  });

/** Asserts an AuthError with `code` and exactly this detail. */
async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  detail: { document: string; field: string; expected: string; received: string | undefined },
) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AuthError, String(e));
    assert.equal(e.code, code, e.message);
    assert.deepEqual(
      { document: e.document, field: e.field, expected: e.expected, received: e.received },
      detail,
      e.message,
    );
    return true;
  });
}

describe('offline_access (2026-07-28: only when the AS lists it)', () => {
  it('is added to the authorization and refresh scope when the AS scopes_supported lists it', async () => {
    const fake = fakeAs({ meta: { scopes_supported: ['mcp', 'offline_access'] } });
    const client = interactive(fake);
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true);
    assert.equal(fake.authorizations[0]!.searchParams.get('scope'), 'mcp offline_access');
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true); // refresh with rt-0
    assert.equal(fake.tokens[1]!.get('grant_type'), 'refresh_token');
    assert.equal(fake.tokens[1]!.get('scope'), 'mcp offline_access');
  });

  it('is not requested when the AS does not list it, even if the resource does', async () => {
    const fake = fakeAs({ meta: { scopes_supported: ['mcp'] }, prm: { scopes_supported: ['mcp'] } });
    assert.equal(await interactive(fake).onUnauthorized(unauthorized()), true);
    assert.equal(fake.authorizations[0]!.searchParams.get('scope'), 'mcp');
    const none = fakeAs();
    assert.equal(await interactive(none).onUnauthorized(unauthorized('mcp')), true);
    assert.equal(none.authorizations[0]!.searchParams.get('scope'), 'mcp');
  });

  it('is never added to a non-interactive grant, nor sent alone when no scope is known', async () => {
    const fake = fakeAs({ meta: { scopes_supported: ['mcp', 'offline_access'] } });
    const grant = oauthClient({
      serverUrl: SERVER,
      grant: { type: 'client_credentials', clientId: 'c', clientSecret: 's' },
      fetch: fake.f,
    });
    assert.equal(await grant.onUnauthorized(unauthorized('mcp')), true);
    assert.equal(fake.tokens[0]!.get('scope'), 'mcp');
    const bare = fakeAs({ meta: { scopes_supported: ['offline_access'] } });
    assert.equal(await interactive(bare).onUnauthorized(unauthorized()), true);
    assert.equal(bare.authorizations[0]!.searchParams.get('scope'), null);
  });
});

describe('grant-only authorization servers (no authorization_endpoint)', () => {
  const grantOnly = { authorization_endpoint: undefined, code_challenge_methods_supported: undefined };

  it('serve client_credentials and jwt_bearer clients', async () => {
    const fake = fakeAs({ meta: grantOnly });
    const cc = oauthClient({
      serverUrl: SERVER,
      grant: { type: 'client_credentials', clientId: 'c', clientSecret: 's' },
      fetch: fake.f,
    });
    assert.equal(await cc.onUnauthorized(unauthorized()), true);
    const jb = oauthClient({ serverUrl: SERVER, grant: { type: 'jwt_bearer', assertion: () => 'jwt' }, fetch: fake.f });
    assert.equal(await jb.onUnauthorized(unauthorized()), true);
    assert.deepEqual(
      fake.tokens.map((b) => b.get('grant_type')),
      ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    );
  });

  it('give an interactive client a typed error naming the missing field, before any registration', async () => {
    const fake = fakeAs({ meta: grantOnly });
    await rejectsWith(interactive(fake).onUnauthorized(unauthorized()), 'TSMCP_AUTH_NO_AUTHORIZATION_ENDPOINT', {
      document: 'authorization server metadata',
      field: 'authorization_endpoint',
      expected: 'an authorization endpoint (the authorization code flow)',
      received: 'nothing',
    });
    assert.equal(fake.registrations, 0);
    assert.equal(fake.authorizations.length, 0);
  });
});

describe('bad input: every refusal names document, field, expected and received', () => {
  const ASM = 'authorization server metadata';

  it('metadata for a foreign issuer', async () => {
    const fake = fakeAs({ meta: { issuer: 'https://attacker.example' } });
    await rejectsWith(interactive(fake).onUnauthorized(unauthorized()), 'TSMCP_AUTH_ISSUER_MISMATCH', {
      document: ASM,
      field: 'issuer',
      expected: AS,
      received: 'https://attacker.example',
    });
    assert.equal(fake.registrations + fake.authorizations.length + fake.tokens.length, 0);
  });

  it('a PRM for another server', async () => {
    const fake = fakeAs({ prm: { resource: 'http://127.0.0.1:9/other' } });
    await rejectsWith(interactive(fake).onUnauthorized(unauthorized()), 'TSMCP_AUTH_RESOURCE_MISMATCH', {
      document: 'protected resource metadata',
      field: 'resource',
      expected: SERVER,
      received: 'http://127.0.0.1:9/other',
    });
  });

  it('an AS without S256 (missing list, or plain only)', async () => {
    for (const [methods, received] of [
      [undefined, 'nothing'],
      [['plain'], '["plain"]'],
    ] as const) {
      const fake = fakeAs({ meta: { code_challenge_methods_supported: methods } });
      await rejectsWith(interactive(fake).onUnauthorized(unauthorized()), 'TSMCP_AUTH_PKCE_UNSUPPORTED', {
        document: ASM,
        field: 'code_challenge_methods_supported',
        expected: 'a list containing S256',
        received,
      });
      assert.equal(fake.authorizations.length, 0);
    }
  });

  it('iss missing where advertised, wrong, or equal only after normalization: no token request', async () => {
    const cases = [
      [() => undefined, 'TSMCP_AUTH_ISS_MISSING', 'nothing'],
      [() => 'https://evil.example', 'TSMCP_AUTH_ISS_MISMATCH', 'https://evil.example'],
      [(i: string) => `${i}/`, 'TSMCP_AUTH_ISS_MISMATCH', `${AS}/`],
      [(i: string) => i.replace('http:', 'HTTP:'), 'TSMCP_AUTH_ISS_MISMATCH', `HTTP://127.0.0.1:9/as`],
      [(i: string) => i.replace(':9/', ':9/./'), 'TSMCP_AUTH_ISS_MISMATCH', `http://127.0.0.1:9/./as`],
    ] as const;
    for (const [iss, code, received] of cases) {
      const fake = fakeAs({ meta: { authorization_response_iss_parameter_supported: true } });
      await rejectsWith(interactive(fake, {}, iss).onUnauthorized(unauthorized()), code, {
        document: 'authorization response',
        field: 'iss',
        expected: AS,
        received,
      });
      assert.equal(fake.authorizations.length, 1);
      assert.equal(fake.tokens.length, 0);
    }
  });

  it('an expired or wrong-audience workload JWT: the AS error once, no retry, no other grant', async () => {
    for (const description of ['assertion expired', 'assertion audience is not this AS']) {
      const fake = fakeAs({
        token: () => Response.json({ error: 'invalid_grant', error_description: description }, { status: 400 }),
      });
      const client = oauthClient({
        serverUrl: SERVER,
        grant: { type: 'jwt_bearer', assertion: () => 'workload.jwt' },
        fetch: fake.f,
      });
      await assert.rejects(client.onUnauthorized(unauthorized()), (e: unknown) => {
        assert.ok(e instanceof AuthError);
        assert.equal(e.code, 'TSMCP_AUTH_TOKEN');
        assert.deepEqual(
          [e.document, e.field, e.expected, e.received],
          ['token response', 'error', 'an access_token', 'invalid_grant'],
        );
        assert.match(e.message, new RegExp(description)); // the AS's reason reaches the caller
        return true;
      });
      assert.equal(fake.tokens.length, 1);
      assert.equal(fake.registrations + fake.authorizations.length, 0);
      assert.deepEqual(client.headers(), {});
    }
  });

  it('an endless 403 insufficient_scope stops after maxAuthorizationAttempts', async () => {
    const fake = fakeAs();
    const client = interactive(fake, { maxAuthorizationAttempts: 2 });
    assert.equal(await client.onUnauthorized(unauthorized('read')), true);
    let error: unknown;
    for (let i = 0; i < 10 && error === undefined; i++)
      error = await client.onForbidden!(forbidden('write')).then(
        () => undefined,
        (e) => e,
      );
    await rejectsWith(Promise.reject(error), 'TSMCP_AUTH_STEP_UP_LIMIT', {
      document: 'WWW-Authenticate',
      field: 'scope',
      expected: 'at most 2 authorizations for one scope set (maxAuthorizationAttempts)',
      received: '3',
    });
    assert.deepEqual(
      fake.authorizations.map((u) => u.searchParams.get('scope')),
      ['read', 'read write', 'read write'],
    );
  });

  it('a reused refresh token (invalid_grant): re-authorization, the registration and store kept', async () => {
    const store = new MemoryTokenStore();
    const fake = fakeAs({
      token: (body, n) =>
        body.get('grant_type') === 'refresh_token'
          ? Response.json({ error: 'invalid_grant' }, { status: 400 })
          : Response.json({ access_token: `at-${n}`, token_type: 'Bearer', refresh_token: `rt-${n}` }),
    });
    const client = interactive(fake, { store });
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true);
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true);
    assert.deepEqual(
      fake.tokens.map((b) => b.get('grant_type')),
      ['authorization_code', 'refresh_token', 'authorization_code'],
    );
    assert.equal(fake.registrations, 1);
    assert.deepEqual(await store.getClient(AS), { client_id: 'client-1' });
    assert.equal((await store.getTokens(AS, SERVER))?.access_token, 'at-2');
    assert.deepEqual(client.headers(), { authorization: 'Bearer at-2' });
  });
});

describe('HTTPS except loopback; tokens never in URLs', () => {
  it('refuses a plain-http authorization server, endpoint or resource metadata off loopback, before fetching it', async () => {
    const cases = [
      [
        { prm: { authorization_servers: ['http://as.example'] } },
        'protected resource metadata',
        'authorization_servers',
        'http://as.example/',
      ],
      [
        { meta: { token_endpoint: 'http://as.example/token' } },
        'authorization server metadata',
        'token_endpoint',
        'http://as.example/token',
      ],
      [
        { meta: { authorization_endpoint: 'http://as.example/authorize' } },
        'authorization server metadata',
        'authorization_endpoint',
        'http://as.example/authorize',
      ],
      [
        { meta: { registration_endpoint: 'http://as.example/register' } },
        'authorization server metadata',
        'registration_endpoint',
        'http://as.example/register',
      ],
    ] as const;
    for (const [o, document, field, received] of cases) {
      const fake = fakeAs(o);
      await rejectsWith(interactive(fake).onUnauthorized(unauthorized()), 'TSMCP_AUTH_INSECURE_URL', {
        document,
        field,
        expected: 'https: or a loopback http: URL',
        received,
      });
      assert.ok(!fake.asked.some((u) => u.startsWith('http://as.example')), fake.asked.join());
    }
    const offLoopback = fakeAs();
    const client = oauthClient({
      serverUrl: 'http://mcp.example/mcp',
      redirectUri: REDIRECT,
      redirect: login(offLoopback),
      fetch: offLoopback.f,
    });
    await rejectsWith(client.onUnauthorized(unauthorized()), 'TSMCP_AUTH_INSECURE_URL', {
      document: 'protected resource metadata',
      field: 'serverUrl',
      expected: 'https: or a loopback http: URL',
      received: 'http://mcp.example/.well-known/oauth-protected-resource/mcp',
    });
    assert.deepEqual(offLoopback.asked, []);
  });

  it('puts access and refresh tokens in bodies and headers only, never in a URL', async () => {
    const fake = fakeAs();
    const client = interactive(fake);
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true);
    assert.equal(await client.onUnauthorized(unauthorized('mcp')), true); // a refresh
    assert.equal(fake.tokens[1]!.get('refresh_token'), 'rt-0');
    const urls = [...fake.asked, ...fake.authorizations.map(String)];
    assert.ok(urls.length > 3);
    for (const u of urls) assert.doesNotMatch(u, /at-\d|rt-\d/);
    assert.deepEqual(client.headers(), { authorization: 'Bearer at-1' });
  });
});

describe('bad input: the authorization response and missing documents', () => {
  /** A login whose callback carries `params` (state replaced when given). */
  const answer = (fake: Fake, params: Record<string, string>) => async (url: URL) => {
    fake.authorizations.push(url);
    const cb = new URL(REDIRECT);
    cb.searchParams.set('state', url.searchParams.get('state')!);
    for (const [k, v] of Object.entries(params)) cb.searchParams.set(k, v);
    if (params.state === '') cb.searchParams.delete('state');
    return cb;
  };

  it('a callback with a foreign or missing state, or an AS refusal, names what arrived', async () => {
    const cases = [
      [{ code: 'c', state: 'forged' }, 'TSMCP_AUTH_STATE_MISMATCH', 'state', 'the state sent', 'forged'],
      [{ code: 'c', state: '' }, 'TSMCP_AUTH_STATE_MISMATCH', 'state', 'the state sent', 'nothing'],
      [{ error: 'access_denied' }, 'TSMCP_AUTH_DENIED', 'error', 'a code', 'access_denied'],
      [{}, 'TSMCP_AUTH_DENIED', 'code', 'a code', 'nothing'],
    ] as const;
    for (const [params, code, field, expected, received] of cases) {
      const fake = fakeAs();
      const client = interactive(fake, { redirect: answer(fake, params) });
      await rejectsWith(client.onUnauthorized(unauthorized()), code, {
        document: 'authorization response',
        field,
        expected,
        received,
      });
      assert.equal(fake.tokens.length, 0);
    }
  });

  it('an issuer without metadata, and an AS with no way to get a client_id', async () => {
    const gone = fakeAs({ prm: { authorization_servers: [`${ORIGIN}/elsewhere`] } });
    await rejectsWith(interactive(gone).onUnauthorized(unauthorized()), 'TSMCP_AUTH_NO_METADATA', {
      document: 'authorization server metadata',
      field: 'issuer',
      expected: 'RFC 8414 or OpenID Connect discovery metadata',
      received: `nothing for ${ORIGIN}/elsewhere`,
    });
    const closed = fakeAs({ meta: { registration_endpoint: undefined } });
    await rejectsWith(interactive(closed).onUnauthorized(unauthorized()), 'TSMCP_AUTH_NO_REGISTRATION', {
      document: 'authorization server metadata',
      field: 'registration_endpoint',
      expected: 'pre-registered credentials, CIMD support or a registration endpoint',
      received: 'nothing',
    });
  });
});
