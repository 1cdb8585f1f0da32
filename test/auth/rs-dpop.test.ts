// DPoP (RFC 9449) at the resource server over real loopback HTTP, both fronts: tokens bound with `cnf.jkt`
// (minted by the local issuer), proofs signed with jose; every bad proof is a 401 with its challenge and the
// server keeps serving; server nonces (use_dpop_nonce, a fresh DPoP-Nonce on success); the replay cache bound.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { before, describe, it } from 'node:test';
import {
  calculateJwkThumbprint,
  EmbeddedJWK,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import {
  InMemoryDpopReplayCache,
  jwtVerifier,
  protectedResource,
  type ProtectedResourceOptions,
} from '../../src/auth/index.js';
import { oauthClient } from '../../src/auth/client/index.js';
import { Client } from '../../src/entries/client.js';
import type { HttpServerOptions } from '../../src/transports/http/core.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { listenWeb } from '../helpers/listen.js';
import { authedServer, type Front, serveAuthed } from './helpers.js';
import { startIssuer, type Issuer } from './jwks.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
let n = 0;

let iss: Issuer;
before(async () => {
  iss = await startIssuer();
});

/** A client key pair and its RFC 7638 thumbprint. */
async function clientKey(alg = 'ES256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}
type Key = Awaited<ReturnType<typeof clientKey>>;

interface ProofOpts {
  htm?: string;
  htu: string;
  token?: string;
  ath?: string;
  jti?: string;
  iat?: number;
  nonce?: string;
  alg?: string;
  jwk?: JWK;
  signWith?: CryptoKey | Uint8Array;
}

async function proof(key: Key, o: ProofOpts): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: o.jti ?? `jti-${++n}-${Math.random()}`,
    htm: o.htm ?? 'POST',
    htu: o.htu,
    iat: o.iat ?? now(),
    ...(o.token !== undefined || o.ath !== undefined ? { ath: o.ath ?? sha256(o.token!) } : {}),
    ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: o.alg ?? 'ES256', jwk: o.jwk ?? key.jwk })
    .sign(o.signWith ?? key.privateKey);
}

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Answer {
  status: number;
  challenge: string | undefined;
  nonce: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: { result?: { content: { text: string }[] }; error?: { code: number } };
}

/** POST `tools/call whoami` over node:http, so a header can be sent twice (`dpop` as an array). */
function call(url: string, authorization?: string, dpop?: string | string[], extra: Record<string, string> = {}) {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { _meta: META, name: 'whoami', arguments: {} },
  });
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'whoami',
    ...extra,
  };
  if (authorization !== undefined) headers.authorization = authorization;
  if (dpop !== undefined) headers.dpop = dpop;
  return new Promise<Answer>((resolve, reject) => {
    const r = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          challenge: res.headers['www-authenticate'],
          nonce: res.headers['dpop-nonce'] as string | undefined,
          headers: res.headers,
          body: text ? JSON.parse(text) : {},
        }),
      );
    });
    r.on('error', reject);
    r.end(body);
  });
}

const ALGS = 'ES256 EdDSA RS256 PS256';

async function world(front: Front, dpop: ProtectedResourceOptions['dpop'] = {}, http: HttpServerOptions = {}) {
  const { origin, rs } = await serveAuthed(
    front,
    authedServer(),
    (o) =>
      protectedResource({
        resource: `${o}/mcp`,
        authorizationServers: [iss.issuer],
        verifier: jwtVerifier({ issuer: iss.issuer, audience: `${o}/mcp`, jwksUri: iss.jwksUri }),
        dpop,
      }),
    http,
  );
  const url = `${origin}/mcp`;
  const key = await clientKey();
  const token = await iss.mint({ sub: 'alice', aud: url, client_id: 'app', cnf: { jkt: key.jkt } });
  const prm = `${origin}/.well-known/oauth-protected-resource/mcp`;
  return { origin, url, rs, key, token, prm };
}

const subjectOf = (a: Answer) => JSON.parse(a.body.result!.content[0]!.text).subject as string;

for (const front of ['node', 'web'] as Front[]) {
  describe(`DPoP at the resource server (${front} front)`, () => {
    it('accepts a DPoP-bound token with a good proof; the handler sees the principal', async () => {
      const w = await world(front);
      const r = await call(w.url, `DPoP ${w.token}`, await proof(w.key, { htu: w.url, token: w.token }));
      assert.equal(r.status, 200, JSON.stringify(r));
      assert.equal(subjectOf(r), 'alice');
      // The proof's htu is compared without query and fragment.
      const q = await call(
        `${w.url}?x=1`,
        `DPoP ${w.token}`,
        await proof(w.key, { htu: `${w.url}#f`, token: w.token }),
      );
      assert.equal(q.status, 200);
      const doc = (await (await fetch(w.prm)).json()) as Record<string, unknown>;
      assert.deepEqual(doc.dpop_signing_alg_values_supported, ALGS.split(' '));
      assert.equal(doc.dpop_bound_access_tokens_required, undefined);
    });

    it('offers both schemes in a 401 without credentials', async () => {
      const w = await world(front);
      const r = await call(w.url);
      assert.equal(r.status, 401);
      assert.equal(
        r.challenge,
        `Bearer resource_metadata="${w.prm}", DPoP algs="${ALGS}", resource_metadata="${w.prm}"`,
      );
    });

    it('refuses each bad proof with 401 invalid_dpop_proof, and keeps serving', async () => {
      const w = await world(front);
      const other = await clientKey();
      const { privateKey: hsKey } = { privateKey: new TextEncoder().encode('k'.repeat(32)) };
      const good = await proof(w.key, { htu: w.url, token: w.token });
      assert.equal((await call(w.url, `DPoP ${w.token}`, good)).status, 200);
      const privateJwk = await exportJWK(w.key.privateKey);
      const bad: Record<string, string | string[]> = {
        replayed: good,
        otherUrl: await proof(w.key, { htu: `${w.origin}/other`, token: w.token }),
        otherOrigin: await proof(w.key, { htu: `http://localhost:1/mcp`, token: w.token }),
        otherMethod: await proof(w.key, { htu: w.url, htm: 'GET', token: w.token }),
        wrongAth: await proof(w.key, { htu: w.url, ath: sha256('another token') }),
        noAth: await proof(w.key, { htu: w.url }),
        oldIat: await proof(w.key, { htu: w.url, token: w.token, iat: now() - 600 }),
        futureIat: await proof(w.key, { htu: w.url, token: w.token, iat: now() + 600 }),
        none: `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: w.key.jwk })}.${b64({
          jti: 'none-1',
          htm: 'POST',
          htu: w.url,
          iat: now(),
          ath: sha256(w.token),
        })}.`,
        hs256: await proof(w.key, { htu: w.url, token: w.token, alg: 'HS256', signWith: hsKey }),
        privateJwk: await proof(w.key, { htu: w.url, token: w.token, jwk: privateJwk }),
        wrongTyp: await new SignJWT({ jti: 'typ-1', htm: 'POST', htu: w.url, iat: now(), ath: sha256(w.token) })
          .setProtectedHeader({ typ: 'JWT', alg: 'ES256', jwk: w.key.jwk })
          .sign(w.key.privateKey),
        badSignature: await proof(w.key, { htu: w.url, token: w.token, signWith: other.privateKey }),
        twoHeaders: [
          await proof(w.key, { htu: w.url, token: w.token }),
          await proof(w.key, { htu: w.url, token: w.token }),
        ],
        garbage: 'not-a-jwt',
      };
      for (const [what, p] of Object.entries(bad)) {
        const r = await call(w.url, `DPoP ${w.token}`, p);
        assert.equal(r.status, 401, what);
        assert.equal(
          r.challenge,
          `Bearer resource_metadata="${w.prm}", DPoP algs="${ALGS}", resource_metadata="${w.prm}", error="invalid_dpop_proof"`,
          what,
        );
      }
      // A good proof with another key than the token's cnf.jkt: the token is not this client's.
      const stolen = await call(w.url, `DPoP ${w.token}`, await proof(other, { htu: w.url, token: w.token }));
      assert.equal(stolen.status, 401);
      assert.match(stolen.challenge!, /DPoP algs="[^"]+", resource_metadata="[^"]+", error="invalid_token"/);
      // No proof at all with the DPoP scheme.
      assert.equal((await call(w.url, `DPoP ${w.token}`)).status, 401);
      // Still serving.
      const ok = await call(w.url, `DPoP ${w.token}`, await proof(w.key, { htu: w.url, token: w.token }));
      assert.equal(ok.status, 200);
    });

    it('refuses a DPoP-bound token presented as Bearer (RFC 9449 §7.2), with or without DPoP enabled', async () => {
      const w = await world(front);
      const r = await call(w.url, `Bearer ${w.token}`);
      assert.equal(r.status, 401);
      assert.equal(
        r.challenge,
        `Bearer resource_metadata="${w.prm}", error="invalid_token", DPoP algs="${ALGS}", resource_metadata="${w.prm}"`,
      );
      const off = await serveAuthed(front, authedServer(), (o) =>
        protectedResource({
          resource: `${o}/mcp`,
          authorizationServers: [iss.issuer],
          verifier: jwtVerifier({ issuer: iss.issuer, audience: `${o}/mcp`, jwksUri: iss.jwksUri }),
        }),
      );
      const t = await iss.mint({ sub: 'alice', aud: `${off.origin}/mcp`, cnf: { jkt: w.key.jkt } });
      assert.equal((await call(`${off.origin}/mcp`, `Bearer ${t}`)).status, 401);
      // An unbound token is still a good Bearer token.
      const plain = await iss.mint({ sub: 'bob', aud: `${off.origin}/mcp` });
      assert.equal(subjectOf(await call(`${off.origin}/mcp`, `Bearer ${plain}`)), 'bob');
    });

    it('when required: only DPoP is offered, an unbound token is refused', async () => {
      const w = await world(front, { required: true, algorithms: ['ES256'] });
      const doc = (await (await fetch(w.prm)).json()) as Record<string, unknown>;
      assert.deepEqual(doc.dpop_signing_alg_values_supported, ['ES256']);
      assert.equal(doc.dpop_bound_access_tokens_required, true);
      const none = await call(w.url);
      assert.equal(none.challenge, `DPoP algs="ES256", resource_metadata="${w.prm}"`);
      const plain = await iss.mint({ sub: 'bob', aud: w.url });
      assert.equal((await call(w.url, `Bearer ${plain}`)).status, 401);
      // An unbound token with a proof: nothing binds the token to the key.
      const unbound = await call(w.url, `DPoP ${plain}`, await proof(w.key, { htu: w.url, token: plain }));
      assert.equal(unbound.status, 401);
      assert.match(unbound.challenge!, /error="invalid_token"/);
      // An EdDSA proof is outside this allow-list.
      const ed = await clientKey('EdDSA');
      const tEd = await iss.mint({ sub: 'alice', aud: w.url, cnf: { jkt: ed.jkt } });
      const r = await call(w.url, `DPoP ${tEd}`, await proof(ed, { htu: w.url, token: tEd, alg: 'EdDSA' }));
      assert.equal(r.status, 401);
      assert.match(r.challenge!, /error="invalid_dpop_proof"/);
    });

    it('asks for its nonce (use_dpop_nonce), accepts it, and sends a fresh one on success when it rotates', async () => {
      const secret = 'a shared secret of the instances';
      const w = await world(front, { nonce: { secret, windowSeconds: 300 } });
      // The nonce changes at a 300 s window boundary: a run that straddles one is run again (at most
      // twice in all; two boundaries cannot fall within one short run).
      const windowNow = () => Math.floor(now() / 300);
      let attempts = 0;
      for (;;) {
        const started = windowNow();
        await nonceRound(w, secret);
        if (windowNow() === started) break;
        assert.ok(++attempts < 2, 'two nonce windows passed during the test');
      }
    });

    async function nonceRound(w: Awaited<ReturnType<typeof world>>, secret: string) {
      const first = await call(w.url, `DPoP ${w.token}`, await proof(w.key, { htu: w.url, token: w.token }));
      assert.equal(first.status, 401);
      assert.match(first.challenge!, /DPoP algs="[^"]+", resource_metadata="[^"]+", error="use_dpop_nonce"/);
      assert.ok(first.nonce);
      const wrong = await call(
        w.url,
        `DPoP ${w.token}`,
        await proof(w.key, { htu: w.url, token: w.token, nonce: 'x' }),
      );
      assert.equal(wrong.status, 401);
      assert.equal(wrong.nonce, first.nonce);
      const ok = await call(
        w.url,
        `DPoP ${w.token}`,
        await proof(w.key, { htu: w.url, token: w.token, nonce: first.nonce }),
      );
      assert.equal(ok.status, 200);
      assert.equal(ok.nonce, undefined, 'the current nonce needs no refresh');
      // The documented format (so instances share it): base64url HMAC-SHA256(secret, window index).
      const window = Math.floor(now() / 300);
      const nonceOf = (i: number) => createHmac('sha256', secret).update(String(i)).digest('base64url');
      assert.equal(first.nonce, nonceOf(window));
      const previous = await call(
        w.url,
        `DPoP ${w.token}`,
        await proof(w.key, { htu: w.url, token: w.token, nonce: nonceOf(window - 1) }),
      );
      assert.equal(previous.status, 200, "the last window's nonce is still good");
      assert.equal(previous.nonce, first.nonce, 'and a fresh one goes out with the success');
      const older = await call(
        w.url,
        `DPoP ${w.token}`,
        await proof(w.key, { htu: w.url, token: w.token, nonce: nonceOf(window - 2) }),
      );
      assert.equal(older.status, 401);
    }

    it('refuses with 503 when the replay cache is full of live proofs, without forgetting them', async () => {
      const cache = new InMemoryDpopReplayCache({ maxEntries: 2 });
      const w = await world(front, { replayCache: cache });
      const proofs = [];
      for (let i = 0; i < 3; i++) proofs.push(await proof(w.key, { htu: w.url, token: w.token }));
      assert.equal((await call(w.url, `DPoP ${w.token}`, proofs[0])).status, 200);
      assert.equal((await call(w.url, `DPoP ${w.token}`, proofs[1])).status, 200);
      assert.equal(cache.size, 2);
      const full = await call(w.url, `DPoP ${w.token}`, proofs[2]);
      assert.equal(full.status, 503);
      assert.ok(full.headers['retry-after']);
      assert.equal(cache.size, 2);
      // The remembered ones are still refused as replays.
      assert.equal((await call(w.url, `DPoP ${w.token}`, proofs[0])).status, 401);
    });

    it('exposes DPoP-Nonce and allows the DPoP header to browsers (CORS)', async () => {
      const w = await world(front, { nonce: { secret: 's' } }, { cors: { origin: '*' } });
      const r = await call(w.url, `DPoP ${w.token}`, await proof(w.key, { htu: w.url, token: w.token }), {
        origin: w.origin,
      });
      assert.equal(r.status, 401);
      assert.ok(r.nonce);
      assert.match(String(r.headers['access-control-expose-headers']), /(^|, )dpop-nonce(,|$)/);
      const pre = await fetch(w.url, { method: 'OPTIONS', headers: { origin: w.origin } });
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /(^|, )dpop(,|$)/);
    });
  });
}

/** A loopback AS issuing DPoP-bound JWTs (client_credentials) whose `cnf.jkt` is the token request proof's key. */
async function dpopAs(audience: () => string) {
  let origin = '';
  const port = await listenWeb(async (req) => {
    const u = new URL(req.url);
    if (u.pathname === '/.well-known/oauth-authorization-server')
      return Response.json({
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        grant_types_supported: ['client_credentials'],
        code_challenge_methods_supported: ['S256'],
        dpop_signing_alg_values_supported: ['ES256'],
      });
    if (u.pathname !== '/token') return new Response(null, { status: 404 });
    const { protectedHeader } = await jwtVerify(req.headers.get('dpop')!, EmbeddedJWK, { typ: 'dpop+jwt' });
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK);
    const token = await iss.mint({ iss: origin, sub: 'svc', aud: audience(), client_id: 'c', cnf: { jkt } });
    return Response.json({ access_token: token, token_type: 'DPoP', expires_in: 300 });
  });
  origin = `http://127.0.0.1:${port}`;
  return origin;
}

describe('the tsmcp OAuth client against the DPoP resource server', () => {
  for (const front of ['node', 'web'] as Front[])
    it(`gets a DPoP-bound token, follows use_dpop_nonce once, then calls with the nonce (${front})`, async () => {
      let resource = '';
      const as = await dpopAs(() => resource);
      const refused: string[] = [];
      const { origin } = await serveAuthed(front, authedServer(), (o) => {
        resource = `${o}/mcp`;
        return protectedResource({
          resource,
          authorizationServers: [as],
          verifier: jwtVerifier({ issuer: as, audience: resource, jwksUri: iss.jwksUri }),
          dpop: { required: true, nonce: true },
          onrefusal: (e) => refused.push(`${e.reason}:${e.field}`),
        });
      });
      const auth = oauthClient({
        serverUrl: `${origin}/mcp`,
        grant: { type: 'client_credentials', clientId: 'c', clientSecret: 's' },
        dpop: { force: true },
      });
      const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
      await client.connect(new StreamableHttpClientTransport(`${origin}/mcp`, { auth }));
      try {
        for (let i = 0; i < 3; i++) {
          const r = await client.callTool('whoami');
          assert.equal(JSON.parse((r.content[0] as { text: string }).text).subject, 'svc');
        }
      } finally {
        await client.close();
      }
      // One nonce round (the first proof had none); every later proof carried it.
      assert.deepEqual(refused, ['dpop_nonce:nonce']);
    });
});
