// Test helper: one loopback origin with a PRM, an AS (or two: /as and /as2, the PRM names one) (authorization code with a headless authorize
// endpoint, single-use rotating refresh tokens, optional DPoP binding) and an MCP server that accepts
// only live tokens it issued. Counts what reaches each endpoint so tests assert operation counts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import { oauthClient, type TokenStore } from '../../src/auth/client/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { listenWeb } from '../helpers/listen.js';

export interface WorldOptions {
  /** Tokens are DPoP-bound; the PRM requires it. */
  dpop?: boolean;
  /** The RS sends a new DPoP-Nonce on every success and refuses any proof without the latest one. */
  rotateRsNonce?: boolean;
}

export interface Seen {
  grants: string[]; // grant_type of each token request, in order
  authorizations: number; // hits of the authorize endpoint
  presented: string[]; // access tokens the RS saw
  proofJkts: string[]; // key thumbprints of the RS's DPoP proofs
  rsNonceChallenges: number;
  /** Paths of the PRM and AS metadata GETs, in order. */
  discovery: string[];
  /** 401s the RS sent for a missing or unknown token (not DPoP nonce challenges). */
  unauthorized: number;
  errors: string[];
}

export type World = Awaited<ReturnType<typeof tokenWorld>>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

export async function tokenWorld(opts: WorldOptions = {}) {
  const seen: Seen = {
    grants: [],
    authorizations: 0,
    presented: [],
    proofJkts: [],
    rsNonceChallenges: 0,
    discovery: [],
    unauthorized: 0,
    errors: [],
  };
  const state = {
    /** expires_in of the next tokens issued. */
    expiresIn: 3600,
    /** Access tokens the RS accepts (revoked ones are removed) → bound key thumbprint (or ''). */
    live: new Map<string, string>(),
    /** Refresh tokens still usable → the jkt their tokens are bound to. */
    refresh: new Map<string, string>(),
    /** Answers to a reused refresh token wait for this (a test sets it to order a race). */
    holdReuse: undefined as Promise<unknown> | undefined,
    /** Called when the RS accepts a token, before it answers. */
    onPresented: undefined as ((token: string) => void | Promise<void>) | undefined,
    rsNonce: 0,
    /** The AS the PRM names: `${origin}/${as}` (a test moves the resource to another one). */
    as: 'as',
  };
  let n = 0;
  const mcp = new McpServer({ name: 'rs', version: '1' });
  mcp.registerTool('hi', { inputSchema: { type: 'object' } }, () => ({ content: [{ type: 'text', text: 'hi' }] }));
  const inner = createWebHandler(mcp);
  let origin = '';
  const issue = (jkt: string) => {
    const access_token = `at-${++n}`;
    const refresh_token = `rt-${n}`;
    state.live.set(access_token, jkt);
    state.refresh.set(refresh_token, jkt);
    return Response.json({
      access_token,
      refresh_token,
      token_type: opts.dpop ? 'DPoP' : 'Bearer',
      expires_in: state.expiresIn,
    });
  };
  const proofOf = async (req: Request, url: string) => {
    const proof = req.headers.get('dpop');
    if (!proof) return undefined;
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    assert.equal(payload.htu, url);
    assert.equal(payload.htm, req.method);
    return { payload, jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK) };
  };
  const port = await listenWeb(async (req) => {
    const u = new URL(req.url);
    try {
      if (u.pathname.startsWith('/.well-known/')) seen.discovery.push(u.pathname);
      if (u.pathname === '/.well-known/oauth-protected-resource/mcp')
        return Response.json({
          resource: `${origin}/mcp`,
          authorization_servers: [`${origin}/${state.as}`],
          dpop_bound_access_tokens_required: opts.dpop === true,
        });
      const asMeta = /^\/\.well-known\/oauth-authorization-server\/(as2?)$/.exec(u.pathname)?.[1];
      if (asMeta)
        return Response.json({
          issuer: `${origin}/${asMeta}`,
          authorization_endpoint: `${origin}/${asMeta}/authorize`,
          token_endpoint: `${origin}/${asMeta}/token`,
          token_endpoint_auth_methods_supported: ['none'],
          code_challenge_methods_supported: ['S256'],
          ...(opts.dpop ? { dpop_signing_alg_values_supported: ['ES256'] } : {}),
        });
      if (/^\/as2?\/authorize$/.test(u.pathname)) {
        seen.authorizations++;
        const back = new URL(u.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', `code-${seen.authorizations}`);
        back.searchParams.set('state', u.searchParams.get('state')!);
        return new Response(null, { status: 302, headers: { location: back.href } });
      }
      if (/^\/as2?\/token$/.test(u.pathname)) {
        const body = new URLSearchParams(await req.text());
        const grant = body.get('grant_type')!;
        seen.grants.push(grant);
        const jkt = opts.dpop ? (await proofOf(req, `${origin}${u.pathname}`))!.jkt : '';
        if (grant === 'authorization_code') return issue(jkt);
        const rt = body.get('refresh_token')!;
        if (!state.refresh.has(rt)) {
          await state.holdReuse;
          return Response.json({ error: 'invalid_grant' }, { status: 400 });
        }
        assert.equal(state.refresh.get(rt), jkt, 'a refresh proof from the key the grant is bound to');
        state.refresh.delete(rt); // single use: rotation
        return issue(jkt);
      }
      if (u.pathname !== '/mcp') return new Response('nope', { status: 404 });
      const authorization = req.headers.get('authorization') ?? '';
      const token = authorization.replace(/^(Bearer|DPoP) /, '');
      const challenge = `${opts.dpop ? 'DPoP' : 'Bearer'} resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`;
      if (!state.live.has(token)) {
        seen.unauthorized++;
        return new Response(null, { status: 401, headers: { 'www-authenticate': challenge } });
      }
      seen.presented.push(token);
      if (opts.dpop) {
        const p = await proofOf(req, `${origin}/mcp`);
        assert.ok(p, 'a DPoP proof');
        assert.equal(p.payload.ath, sha256(token));
        assert.equal(p.jkt, state.live.get(token), 'the proof key is the one the token is bound to (cnf.jkt)');
        seen.proofJkts.push(p.jkt);
        if (opts.rotateRsNonce && p.payload.nonce !== `n${state.rsNonce}`) {
          seen.rsNonceChallenges++;
          return new Response(null, {
            status: 401,
            headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': `n${state.rsNonce}` },
          });
        }
      }
      await state.onPresented?.(token);
      const res = await inner(req);
      if (!opts.rotateRsNonce) return res;
      const headers = new Headers(res.headers);
      headers.set('dpop-nonce', `n${++state.rsNonce}`);
      return new Response(res.body, { status: res.status, headers });
    } catch (e) {
      seen.errors.push((e as Error).message);
      return Response.json({ error: 'invalid_request' }, { status: 400 });
    }
  });
  origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/mcp`, issuer: `${origin}/as`, seen, state };
}

/** Follows the authorize endpoint's redirect headlessly: the callback URL. */
async function headless(url: URL): Promise<string> {
  const r = await fetch(url, { redirect: 'manual' });
  await r.body?.cancel();
  return r.headers.get('location')!;
}

/** An interactive OAuth client (pre-registered, public) of `world` over `store`, connected. */
export async function connectedClient(
  world: World,
  store: TokenStore,
  extra: { onRedirect?: () => void; refreshSkewSeconds?: number; discoveryMaxAgeSeconds?: number } = {},
) {
  const auth = oauthClient({
    serverUrl: world.url,
    store,
    ...(extra.refreshSkewSeconds !== undefined ? { refreshSkewSeconds: extra.refreshSkewSeconds } : {}),
    ...(extra.discoveryMaxAgeSeconds !== undefined ? { discoveryMaxAgeSeconds: extra.discoveryMaxAgeSeconds } : {}),
    clientInformation: { client_id: 'cli', token_endpoint_auth_method: 'none' },
    redirectUri: 'http://127.0.0.1:1/callback',
    redirect: (u) => (extra.onRedirect?.(), headless(u)),
  });
  const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
  await client.connect(new StreamableHttpClientTransport(world.url, { auth }));
  return { client, auth };
}

/** `hi` answered, or the error message. */
export async function hi(client: Client): Promise<string> {
  try {
    const r = await client.callTool('hi');
    return (r.content[0] as { text: string }).text;
  } catch (e) {
    return (e as Error).message;
  }
}
