// The OAuth client's pure pieces: the WWW-Authenticate parser and the discovery order (RFC 9728, RFC 8414
// with OIDC discovery), the PRM resource check, and typed errors for foreign or weak metadata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthError,
  asMetadataLocations,
  discoverAuthorizationServer,
  discoverProtectedResource,
  MemoryTokenStore,
  parseWwwAuthenticate,
  prmLocations,
} from '../../src/auth/client/index.js';

describe('parseWwwAuthenticate', () => {
  it('reads several challenges, quoted strings with escapes and commas, case-insensitive names', () => {
    const c = parseWwwAuthenticate(
      'Bearer realm="a, \\"b\\"", Scope="x y", resource_metadata="https://s/.well-known/oauth-protected-resource/mcp", DPoP algs="ES256 PS256", error=invalid_token',
    );
    assert.deepEqual(c, [
      {
        scheme: 'bearer',
        params: {
          realm: 'a, "b"',
          scope: 'x y',
          resource_metadata: 'https://s/.well-known/oauth-protected-resource/mcp',
        },
      },
      { scheme: 'dpop', params: { algs: 'ES256 PS256', error: 'invalid_token' } },
    ]);
  });
  it('reads token68 forms and bare schemes', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic abc==, Bearer, Negotiate xyz'), [
      { scheme: 'basic', params: {}, token68: 'abc==' },
      { scheme: 'bearer', params: {} },
      { scheme: 'negotiate', params: {}, token68: 'xyz' },
    ]);
  });
  it('keeps the first of a repeated parameter and survives garbage', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer scope="a", scope="b", @@@'), [
      { scheme: 'bearer', params: { scope: 'a' } },
    ]);
    assert.deepEqual(parseWwwAuthenticate(''), []);
  });
});

describe('discovery order', () => {
  it('PRM: challenge URL, then path-inserted, then root', () => {
    const u = prmLocations(new URL('http://127.0.0.1:9/mcp/'), 'http://127.0.0.1:9/custom.json').map((x) => x.href);
    assert.deepEqual(u, [
      'http://127.0.0.1:9/custom.json',
      'http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp',
      'http://127.0.0.1:9/.well-known/oauth-protected-resource',
    ]);
  });
  it('AS metadata: never the root for an issuer with a path', () => {
    assert.deepEqual(
      asMetadataLocations(new URL('https://as.example/tenant1')).map((x) => x.pathname),
      [
        '/.well-known/oauth-authorization-server/tenant1',
        '/.well-known/openid-configuration/tenant1',
        '/tenant1/.well-known/openid-configuration',
      ],
    );
    assert.deepEqual(
      asMetadataLocations(new URL('https://as.example')).map((x) => x.pathname),
      ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'],
    );
  });
  it('refuses a challenge URL that is neither HTTPS nor loopback', () => {
    assert.throws(() => prmLocations(new URL('http://127.0.0.1/mcp'), 'http://evil.example/prm'), {
      code: 'TSMCP_AUTH_INSECURE_URL',
    });
  });
});

/** A fetch over a table of JSON documents; everything else is 404. Records the URLs asked for. */
function docs(table: Record<string, unknown>) {
  const asked: string[] = [];
  const f = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    asked.push(url);
    return url in table ? Response.json(table[url]) : new Response('nope', { status: 404 });
  }) as typeof fetch;
  return { f: { fetch: f, maxDocumentBytes: 65536 }, asked };
}

const AS = 'http://127.0.0.1:9/tenant1';
const goodMeta = {
  issuer: AS,
  authorization_endpoint: `${AS}/authorize`,
  token_endpoint: `${AS}/token`,
  code_challenge_methods_supported: ['S256'],
};

describe('discovery documents', () => {
  it('finds the PRM at the root after the path-inserted one 404s, and accepts a resource above the path', async () => {
    const { f, asked } = docs({
      'http://127.0.0.1:9/.well-known/oauth-protected-resource': {
        resource: 'http://127.0.0.1:9',
        authorization_servers: [AS],
      },
    });
    const prm = await discoverProtectedResource(f, new URL('http://127.0.0.1:9/mcp'));
    assert.equal(prm?.resource, 'http://127.0.0.1:9');
    assert.equal(asked.length, 2);
  });
  it('refuses a PRM whose resource is another server', async () => {
    const { f } = docs({
      'http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp': {
        resource: 'https://evil.example/mcp',
        authorization_servers: [AS],
      },
    });
    await assert.rejects(discoverProtectedResource(f, new URL('http://127.0.0.1:9/mcp')), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'TSMCP_AUTH_RESOURCE_MISMATCH');
      assert.equal(e.field, 'resource');
      assert.equal(e.received, 'https://evil.example/mcp');
      return true;
    });
  });
  it('compares issuer as an exact string (a trailing slash is another issuer)', async () => {
    const { f } = docs({
      'http://127.0.0.1:9/.well-known/oauth-authorization-server/tenant1': { ...goodMeta, issuer: `${AS}/` },
    });
    await assert.rejects(discoverAuthorizationServer(f, AS), { code: 'TSMCP_AUTH_ISSUER_MISMATCH' });
  });
  it('falls through to OIDC discovery and refuses metadata without S256', async () => {
    const { f, asked } = docs({
      'http://127.0.0.1:9/tenant1/.well-known/openid-configuration': {
        ...goodMeta,
        code_challenge_methods_supported: ['plain'],
      },
    });
    await assert.rejects(discoverAuthorizationServer(f, AS), { code: 'TSMCP_AUTH_PKCE_UNSUPPORTED' });
    assert.equal(asked.length, 3);
    const ok = docs({ 'http://127.0.0.1:9/.well-known/openid-configuration/tenant1': goodMeta });
    assert.equal((await discoverAuthorizationServer(ok.f, AS))?.token_endpoint, `${AS}/token`);
  });
  it('bounds documents by maxDocumentBytes', async () => {
    const { f } = docs({
      'http://127.0.0.1:9/.well-known/oauth-authorization-server/tenant1': { ...goodMeta, pad: 'x'.repeat(70000) },
    });
    await assert.rejects(discoverAuthorizationServer(f, AS), { code: 'TSMCP_AUTH_DOCUMENT_TOO_LARGE' });
  });
});

describe('MemoryTokenStore', () => {
  it('refuses a new key past maxEntries and keeps what it holds', async () => {
    const store = new MemoryTokenStore({ maxEntries: 1 });
    await store.setClient('https://a', { client_id: 'a' });
    await assert.rejects(store.setClient('https://b', { client_id: 'b' }), { code: 'TSMCP_AUTH_STORE_FULL' });
    await store.setClient('https://a', { client_id: 'a2' });
    assert.deepEqual(store.size, { clients: 1, tokens: 0, discovery: 0 });
    assert.equal((await store.getClient('https://a'))?.client_id, 'a2');
    const record = {
      issuer: 'https://a',
      metadata: { issuer: 'https://a', token_endpoint: 'https://a/t' },
      discoveredAt: 1,
    };
    await store.setDiscovery('https://mcp/1', record);
    await assert.rejects(store.setDiscovery('https://mcp/2', record), { code: 'TSMCP_AUTH_STORE_FULL' });
    await store.setDiscovery('https://mcp/1', { ...record, discoveredAt: 2 });
    assert.deepEqual(store.size, { clients: 1, tokens: 0, discovery: 1 });
    assert.equal((await store.getDiscovery('https://mcp/1'))?.discoveredAt, 2);
  });
});
