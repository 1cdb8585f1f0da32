// jwtVerifier over real loopback HTTP, both fronts: a local JWKS server, tokens minted with jose. Every
// bad token (audience, issuer, expiry, signature, alg none / HS256) is 401 invalid_token; the claims reach handlers.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { generateKeyPair } from 'jose';
import { InvalidTokenError, jwtVerifier, protectedResource, type ProtectedResource } from '../../src/auth/index.js';
import { authedServer, callTool, serveAuthed, type Front } from './helpers.js';
import { startIssuer, type Issuer } from './jwks.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

let iss: Issuer;
before(async () => {
  iss = await startIssuer();
});

const rsFor = (resource: string): ProtectedResource =>
  protectedResource({
    resource,
    authorizationServers: [iss.issuer],
    verifier: jwtVerifier({ issuer: iss.issuer, audience: resource, jwksUri: iss.jwksUri, clockToleranceSec: 30 }),
  });

for (const front of ['node', 'web'] as Front[]) {
  describe(`jwtVerifier (${front} front)`, () => {
    it('accepts a valid token of each default algorithm; the handler sees its claims', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      for (const alg of ['RS256', 'ES256', 'EdDSA', 'PS256']) {
        const token = await iss.mint(
          { sub: 'alice', aud: `${origin}/mcp`, client_id: 'app', scope: 'mcp read' },
          { alg },
        );
        const r = await callTool(`${origin}/mcp`, 'whoami', `Bearer ${token}`);
        assert.equal(r.status, 200, alg);
        const auth = JSON.parse(r.body.result!.content[0]!.text);
        assert.equal(auth.subject, 'alice');
        assert.equal(auth.clientId, 'app');
        assert.deepEqual(auth.scopes, ['mcp', 'read']);
        assert.equal(typeof auth.expiresAt, 'number');
      }
    });

    it('refuses wrong audience, wrong issuer, expired, bad signature, alg none and HS256: 401 invalid_token', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      const aud = `${origin}/mcp`;
      const other = await generateKeyPair('RS256');
      const bad = {
        audience: await iss.mint({ sub: 'a', aud: `${origin}/other` }),
        // The resource with the `/` URL parsing adds is another audience: compared verbatim.
        audienceSlash: await iss.mint({ sub: 'a', aud: `${aud}/` }),
        issuer: await iss.mint({ sub: 'a', aud, iss: `${iss.issuer}/` }),
        expired: await iss.mint({ sub: 'a', aud, exp: now() - 120 }),
        noExp: await iss.mint({ sub: 'a', aud }, { noExp: true }),
        signature: await iss.mint({ sub: 'a', aud }, { key: other.privateKey }),
        none: `${b64({ alg: 'none', kid: 'k-RS256' })}.${b64({ iss: iss.issuer, sub: 'a', aud, exp: now() + 300 })}.`,
        hs256: await iss.mint(
          { sub: 'a', aud },
          { alg: 'HS256', kid: 'k-RS256', key: new TextEncoder().encode('k'.repeat(32)) },
        ),
      };
      for (const [what, token] of Object.entries(bad)) {
        const r = await callTool(aud, 'whoami', `Bearer ${token}`);
        assert.equal(r.status, 401, what);
        assert.match(r.challenge ?? '', /error="invalid_token"/, what);
      }
    });
  });
}

describe('jwtVerifier', () => {
  const aud = 'https://mcp.example.com/mcp';
  const verifier = () => jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri });

  it('says which check failed: field, expected, received', async () => {
    const v = verifier();
    const cases: [string, string, string][] = [
      [await iss.mint({ sub: 'a', aud: 'https://evil.example' }), 'audience', 'aud'],
      [await iss.mint({ sub: 'a', aud, iss: 'https://evil.example' }), 'issuer', 'iss'],
      [await iss.mint({ sub: 'a', aud, exp: now() - 3600 }), 'expired', 'exp'],
      [await iss.mint({ sub: 'a', aud, nbf: now() + 3600 }), 'not_yet_valid', 'nbf'],
      [
        await iss.mint({ sub: 'a', aud }, { alg: 'HS256', key: new TextEncoder().encode('k'.repeat(32)) }),
        'algorithm',
        'alg',
      ],
    ];
    for (const [token, reason, field] of cases)
      await assert.rejects(
        v.verify(token),
        (e: unknown) =>
          e instanceof InvalidTokenError &&
          e.reason === reason &&
          e.field === field &&
          e.code === 'TSMCP_INVALID_TOKEN',
        reason,
      );
    await assert.rejects(v.verify(cases[0]![0]), (e: InvalidTokenError) => {
      assert.equal(e.expected, aud);
      assert.equal(e.received, 'https://evil.example');
      return true;
    });
  });

  it('accepts only access-token typ (at+jwt) by default; the typ option widens it and the refusal names it', async () => {
    const v = verifier();
    assert.equal((await v.verify(await iss.mint({ sub: 'a', aud }))).subject, 'a');
    assert.equal((await v.verify(await iss.mint({ sub: 'a', aud }, { typ: 'application/AT+JWT' }))).subject, 'a');
    // An ID token or another JWT of the same issuer is no access token (RFC 9068 §2.1).
    for (const typ of ['JWT', null]) {
      const token = await iss.mint({ sub: 'a', aud }, { typ });
      await assert.rejects(v.verify(token), (e: unknown) => {
        assert.ok(e instanceof InvalidTokenError);
        assert.equal(e.reason, 'type');
        assert.equal(e.field, 'typ');
        assert.equal(e.received, typ ?? undefined);
        assert.match(e.message, /`typ` option/);
        return true;
      });
    }
    // Over HTTP it is a 401 invalid_token, and onrefusal sees the reason.
    const refused: InvalidTokenError[] = [];
    const { origin } = await serveAuthed('node', authedServer(), (o) =>
      protectedResource({
        resource: `${o}/mcp`,
        authorizationServers: [iss.issuer],
        verifier: jwtVerifier({ issuer: iss.issuer, audience: `${o}/mcp`, jwksUri: iss.jwksUri }),
        onrefusal: (e) => refused.push(e),
      }),
    );
    const r = await callTool(
      `${origin}/mcp`,
      'whoami',
      `Bearer ${await iss.mint({ sub: 'a', aud: `${origin}/mcp` }, { typ: 'JWT' })}`,
    );
    assert.equal(r.status, 401);
    assert.deepEqual(
      refused.map((e) => e.reason),
      ['type'],
    );
    // An issuer that types its access tokens `JWT` (Keycloak): set typ.
    const keycloak = jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri, typ: ['JWT'] });
    assert.equal((await keycloak.verify(await iss.mint({ sub: 'k', aud }, { typ: 'JWT' }))).subject, 'k');
    await assert.rejects(keycloak.verify(await iss.mint({ sub: 'k', aud })), { reason: 'type' });
    const any = jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri, typ: null });
    assert.equal((await any.verify(await iss.mint({ sub: 'n', aud }, { typ: null }))).subject, 'n');
  });

  it('passes a DPoP key binding (cnf.jkt) on as AuthInfo.extra.cnf.jkt', async () => {
    const info = await verifier().verify(await iss.mint({ sub: 'a', aud, cnf: { jkt: 'thumb' } }));
    assert.deepEqual(info.extra?.cnf, { jkt: 'thumb' });
    assert.equal((await verifier().verify(await iss.mint({ sub: 'a', aud }))).extra?.cnf, undefined);
  });

  it('accepts skew within clockToleranceSec and not beyond it', async () => {
    const v = jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri, clockToleranceSec: 120 });
    assert.equal((await v.verify(await iss.mint({ sub: 'a', aud, exp: now() - 60 }))).subject, 'a');
    await assert.rejects(v.verify(await iss.mint({ sub: 'a', aud, exp: now() - 600 })), { reason: 'expired' });
  });

  it('caches the JWKS and refetches it for an unknown kid (a rotated key), not more often than the cooldown', async () => {
    const v = jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri, jwksCooldownSec: 0 });
    iss.fetches = 0;
    for (let i = 0; i < 3; i++) await v.verify(await iss.mint({ sub: 'a', aud }));
    assert.equal(iss.fetches, 1);
    const kid = await iss.rotate('ES256');
    assert.equal((await v.verify(await iss.mint({ sub: 'b', aud }, { alg: 'ES256', kid }))).subject, 'b');
    assert.equal(iss.fetches, 2);
    // With the default cooldown, a flood of unknown kids costs one fetch, and the tokens are refused.
    const cool = verifier();
    await cool.verify(await iss.mint({ sub: 'a', aud }));
    iss.fetches = 0;
    const unknown = await iss.mint(
      { sub: 'a', aud },
      { kid: 'no-such-kid', key: (await generateKeyPair('RS256')).privateKey },
    );
    for (let i = 0; i < 5; i++) await assert.rejects(cool.verify(unknown), { reason: 'signature' });
    assert.ok(iss.fetches <= 1, `fetched ${iss.fetches} times`);
  });

  it('refuses configurations without an audience or with none/HMAC algorithms', () => {
    assert.throws(() => jwtVerifier({ issuer: iss.issuer, audience: '', jwksUri: iss.jwksUri }), {
      code: 'TSMCP_AUTH_CONFIG',
    });
    for (const alg of ['none', 'HS256'])
      assert.throws(() => jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: iss.jwksUri, algorithms: [alg] }), {
        code: 'TSMCP_AUTH_CONFIG',
      });
    assert.throws(() => jwtVerifier({ issuer: iss.issuer, audience: aud, jwksUri: 'http://jwks.example/keys' }), {
      code: 'TSMCP_AUTH_CONFIG',
    });
  });
});

describe('official v2 client with a static bearer token', () => {
  it('calls a tool through the resource server', async () => {
    const { origin } = await serveAuthed('node', authedServer(), (o) => rsFor(`${o}/mcp`));
    const token = await iss.mint({ sub: 'v2-user', aud: `${origin}/mcp` });
    const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
    await c.connect(
      new V2Http(new URL(`${origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    try {
      const r = (await c.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
      assert.equal(JSON.parse(r.content[0]!.text).subject, 'v2-user');
    } finally {
      await c.close();
    }
  });
});
