// DPoP (RFC 9449) in the OAuth client, over the HTTP client transport against a loopback AS + MCP server
// that verifies every proof with jose: the token request proof (no ath), DPoP-bound resource requests
// (`Authorization: DPoP`, a fresh proof per request with htm, htu and ath), and server nonces from the
// AS (400 use_dpop_nonce) and the resource (401 DPoP error="use_dpop_nonce"), each costing one retry.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import { AuthError, DpopProver, oauthClient } from '../../src/auth/client/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { listenWeb } from '../helpers/listen.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Verifies a proof as an AS / RS would (RFC 9449 §4.3); its claims and key thumbprint. */
async function verifyProof(proof: string | null, method: string, url: string) {
  assert.ok(proof, 'a DPoP header');
  assert.equal(decodeProtectedHeader(proof).typ, 'dpop+jwt');
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  assert.equal((protectedHeader.jwk as JWK).d, undefined, 'no private key in the header');
  assert.equal(typeof payload.jti, 'string');
  assert.equal(payload.htm, method);
  assert.equal(payload.htu, url);
  assert.equal(typeof payload.iat, 'number');
  return { payload, jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK) };
}

interface Seen {
  tokenProofs: Record<string, unknown>[];
  resourceProofs: Record<string, unknown>[];
  authorizations: string[];
  asNonceChallenges: number;
  rsNonceChallenges: number;
  errors: string[];
}

/** PRM + AS (DPoP-bound tokens) + an MCP server demanding DPoP, on one loopback origin. */
async function dpopWorld(opts: { asNonce?: boolean; rsNonce?: boolean }) {
  const seen: Seen = {
    tokenProofs: [],
    resourceProofs: [],
    authorizations: [],
    asNonceChallenges: 0,
    rsNonceChallenges: 0,
    errors: [],
  };
  const mcp = new McpServer({ name: 'rs', version: '1' });
  mcp.registerTool('hi', { inputSchema: { type: 'object' } }, () => ({ content: [{ type: 'text', text: 'hi' }] }));
  const inner = createWebHandler(mcp);
  let origin = '';
  const bound = new Map<string, string>(); // access token → jkt
  const port = await listenWeb(async (req) => {
    const u = new URL(req.url);
    try {
      if (u.pathname === '/.well-known/oauth-protected-resource/mcp')
        return Response.json({ resource: `${origin}/mcp`, authorization_servers: [`${origin}/as`] });
      if (u.pathname === '/.well-known/oauth-authorization-server/as')
        return Response.json({
          issuer: `${origin}/as`,
          authorization_endpoint: `${origin}/as/authorize`,
          token_endpoint: `${origin}/as/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          code_challenge_methods_supported: ['S256'],
          dpop_signing_alg_values_supported: ['ES256'],
        });
      if (u.pathname === '/as/token') {
        const { payload, jkt } = await verifyProof(req.headers.get('dpop'), 'POST', `${origin}/as/token`);
        seen.tokenProofs.push(payload);
        if (opts.asNonce && payload.nonce !== 'as-nonce') {
          seen.asNonceChallenges++;
          return Response.json({ error: 'use_dpop_nonce' }, { status: 400, headers: { 'dpop-nonce': 'as-nonce' } });
        }
        const token = `tok-${bound.size}`;
        bound.set(token, jkt);
        return Response.json({ access_token: token, token_type: 'DPoP', expires_in: 3600 });
      }
      if (u.pathname !== '/mcp') return new Response('nope', { status: 404 });
      const authorization = req.headers.get('authorization');
      const challenge = `DPoP algs="ES256", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`;
      if (!authorization) return new Response(null, { status: 401, headers: { 'www-authenticate': challenge } });
      seen.authorizations.push(authorization.split(' ')[0]!);
      const token = authorization.slice(5);
      const { payload, jkt } = await verifyProof(req.headers.get('dpop'), req.method, `${origin}/mcp`);
      seen.resourceProofs.push(payload);
      assert.equal(payload.ath, sha256(token), 'ath is the hash of the presented token');
      assert.equal(jkt, bound.get(token), 'the proof key is the one the token is bound to');
      if (opts.rsNonce && payload.nonce !== 'rs-nonce') {
        seen.rsNonceChallenges++;
        return new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-nonce' },
        });
      }
      return inner(req);
    } catch (e) {
      seen.errors.push((e as Error).message);
      return Response.json({ error: 'invalid_dpop_proof' }, { status: 400 });
    }
  });
  origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/mcp`, seen };
}

async function run(opts: { asNonce?: boolean; rsNonce?: boolean }) {
  const world = await dpopWorld(opts);
  const auth = oauthClient({
    serverUrl: world.url,
    grant: { type: 'client_credentials', clientId: 'c', clientSecret: 's' },
  });
  const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
  await client.connect(new StreamableHttpClientTransport(world.url, { auth }));
  try {
    for (let i = 0; i < 3; i++) assert.equal((await client.callTool('hi')).content[0]!.type, 'text');
  } finally {
    await client.close();
  }
  return world.seen;
}

describe('DPoP in the OAuth client', () => {
  it('binds the token with a proof at the token endpoint and presents it with a fresh proof per request', async () => {
    const seen = await run({});
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.tokenProofs.length, 1);
    assert.equal(seen.tokenProofs[0]!.ath, undefined, 'no ath at the token endpoint');
    assert.ok(seen.resourceProofs.length >= 3);
    assert.deepEqual(new Set(seen.authorizations), new Set(['DPoP']));
    const jtis = seen.resourceProofs.map((p) => p.jti);
    assert.equal(new Set(jtis).size, jtis.length, 'a new jti per request');
  });

  it('retries once with the nonce of the AS and of the resource, then keeps using them', async () => {
    const seen = await run({ asNonce: true, rsNonce: true });
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.asNonceChallenges, 1);
    assert.equal(seen.tokenProofs.length, 2);
    assert.equal(seen.tokenProofs[1]!.nonce, 'as-nonce');
    assert.equal(seen.rsNonceChallenges, 1, 'the resource nonce is remembered for the next requests');
    assert.equal(seen.resourceProofs.at(-1)!.nonce, 'rs-nonce');
    const jtis = [...seen.tokenProofs, ...seen.resourceProofs].map((p) => p.jti);
    assert.equal(new Set(jtis).size, jtis.length, 'a retry signs a new jti');
  });
});

describe('DpopProver', () => {
  it('drops the query and fragment from htu and hashes the token into ath', async () => {
    const prover = new DpopProver();
    const proof = await prover.proof('get', 'http://127.0.0.1:9/mcp?tenant=a#frag', 'the-token');
    const { payload } = await verifyProof(proof, 'GET', 'http://127.0.0.1:9/mcp');
    assert.equal(payload.ath, sha256('the-token'));
    const second = await verifyProof(
      await prover.proof('GET', 'http://127.0.0.1:9/mcp'),
      'GET',
      'http://127.0.0.1:9/mcp',
    );
    assert.equal(
      second.jkt,
      (await verifyProof(proof, 'GET', 'http://127.0.0.1:9/mcp')).jkt,
      'one key pair per client',
    );
    assert.equal(second.payload.ath, undefined);
  });

  it('keeps nonces of at most maxNonces origins, then fails with TSMCP_AUTH_DPOP_NONCES', () => {
    const prover = new DpopProver({ maxNonces: 1 });
    const withNonce = (n: string) => new Response(null, { headers: { 'dpop-nonce': n } });
    assert.equal(prover.rememberNonce('http://127.0.0.1:9/as', withNonce('a')), true);
    assert.equal(prover.rememberNonce('http://127.0.0.1:9/mcp', withNonce('a')), false, 'same origin, same nonce');
    assert.equal(prover.rememberNonce('http://127.0.0.1:9/mcp', withNonce('b')), true, 'same origin, new nonce');
    assert.throws(
      () => prover.rememberNonce('http://localhost:9/mcp', withNonce('c')),
      (e: unknown) => e instanceof AuthError && e.code === 'TSMCP_AUTH_DPOP_NONCES' && /maxNonces/.test(e.message),
    );
  });
});
