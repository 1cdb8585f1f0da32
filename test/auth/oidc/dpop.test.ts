// Interop of tsmcp's resource-server DPoP checks (RFC 9449) with a third-party DPoP implementation:
// oauth4webapi runs the authorization code + PKCE + DPoP flow at oidc-provider (AS nonces on), then calls
// a tsmcp server that requires DPoP with server nonces, using its own proofs (ath, htm, htu, nonce).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { callTool } from '../helpers.js';
import { callbackCatcher, type Rs, startRs } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

const insecure = { [oauth.allowInsecureRequests]: true }; // loopback http only
const client: oauth.Client = { client_id: 'spa', token_endpoint_auth_method: 'none' };

let as: TestAs;
let rs: Rs;
let meta: oauth.AuthorizationServer;
before(async () => {
  as = await startAs({
    dpopNonce: true,
    clients: [
      {
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        application_type: 'native', // any loopback port
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/cb'],
      },
    ],
  });
  rs = await startRs(as, { dpop: { required: true, nonce: true } });
  const issuer = new URL(as.issuer);
  meta = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
});
after(() => as.close());

/** Runs `attempt` again once if it failed for a DPoP nonce (the handle then holds the server's nonce). */
async function withNonceRetry<T>(attempt: () => Promise<T>, nonceErrors: string[]): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    if (!oauth.isDPoPNonceError(e)) throw e;
    nonceErrors.push((e as Error).constructor.name);
    return attempt();
  }
}

/** The code flow with PKCE and DPoP (the token bound to `dpop`'s key); the access token. */
async function dpopToken(dpop: oauth.DPoPHandle, nonceErrors: string[]): Promise<string> {
  const { redirectUri, caught, close } = await callbackCatcher();
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(meta.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'mcp:tools',
      resource: rs.url,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    await as.login(url);
    const params = oauth.validateAuthResponse(meta, client, new URL(`${redirectUri}${caught[0]!.search}`));
    const tokens = await withNonceRetry(async () => {
      const res = await oauth.authorizationCodeGrantRequest(meta, client, oauth.None(), params, redirectUri, verifier, {
        DPoP: dpop,
        additionalParameters: { resource: rs.url },
        ...insecure,
      });
      return oauth.processAuthorizationCodeResponse(meta, client, res);
    }, nonceErrors);
    assert.equal(tokens.token_type, 'dpop');
    return tokens.access_token;
  } finally {
    close();
  }
}

/** A 2026-07-28 `tools/call whoami` through oauth4webapi's protectedResourceRequest (its own DPoP proof). */
async function whoamiVia(token: string, dpop: oauth.DPoPHandle): Promise<Response> {
  const headers = new Headers({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'whoami',
  });
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta, name: 'whoami' } });
  return oauth.protectedResourceRequest(token, 'POST', new URL(rs.url), headers, body, { DPoP: dpop, ...insecure });
}

describe('oauth4webapi (code + PKCE + DPoP) against oidc-provider and a DPoP-requiring tsmcp server', () => {
  let key: CryptoKeyPair;
  let token: string;
  const asNonces: string[] = [];
  before(async () => {
    key = await oauth.generateKeyPair('ES256');
    token = await dpopToken(oauth.DPoP(client, key), asNonces);
  });

  it('the token is bound to the key; the call succeeds after the RS asks for its nonce once', async () => {
    assert.equal(asNonces.length, 1, 'the AS asked for a DPoP nonce once');
    const cnf = decodeJwt(token).cnf as { jkt?: string };
    assert.equal(cnf.jkt, await calculateJwkThumbprint(await exportJWK(key.publicKey)));
    const rsNonces: string[] = [];
    const dpop = oauth.DPoP(client, key);
    const res = await withNonceRetry(() => whoamiVia(token, dpop), rsNonces);
    assert.equal(rsNonces.length, 1, 'one use_dpop_nonce from tsmcp, understood by oauth4webapi');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: { content: { text: string }[] } };
    const me = JSON.parse(body.result.content[0]!.text);
    assert.equal(me.subject, 'alice');
    assert.equal(me.clientId, 'spa');
    // The handle now holds tsmcp's nonce: the next call needs no retry.
    const again = await whoamiVia(token, dpop);
    assert.equal(again.status, 200);
    await again.body?.cancel();
  });

  it('the same token with a proof by another key (cnf.jkt mismatch): 401 invalid_token', async () => {
    const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const e = await withNonceRetry(() => whoamiVia(token, other), []).then(
      (r) => assert.fail(`HTTP ${r.status}`),
      (e: unknown) => e,
    );
    assert.ok(e instanceof oauth.WWWAuthenticateChallengeError, String(e));
    assert.equal(e.status, 401);
    assert.match(e.response.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);
  });

  it('the DPoP-bound token sent as a Bearer token: 401', async () => {
    const r = await callTool(rs.url, 'whoami', `Bearer ${token}`);
    assert.equal(r.status, 401);
    assert.match(r.challenge ?? '', /^DPoP /, 'only DPoP is offered');
  });
});
