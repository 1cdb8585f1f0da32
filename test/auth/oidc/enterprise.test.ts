// Enterprise-managed authorization (SEP-990) end to end with two oidc-providers: the enterprise IdP
// signs the user in (an ID token), exchanges that ID token for an ID-JAG (RFC 8693), and the MCP server's
// AS accepts the ID-JAG at its jwt-bearer grant. tsmcp's idJagAssertion drives it; the official v2
// client's CrossAppAccessProvider does the same against the same servers (interop).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CrossAppAccessProvider,
  requestJwtAuthorizationGrant,
  StreamableHTTPClientTransport as V2Http,
  Client as V2Client,
} from '@modelcontextprotocol/client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AuthError, type AssertionContext, idJagAssertion, oauthClient } from '../../../src/auth/client/index.js';
import { ID_JAG_TYP, idTokenFrom, TOKEN_EXCHANGE } from './id-jag.js';
import { connect, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SECRET = 'app-secret-app-secret-app-secret-app';
const OTHER_AS = 'https://other-as.test';
/** The app at the IdP (a native app: any loopback port) and its client id at the MCP AS. */
const atIdp = (client_id: string, method: string) => ({
  client_id,
  client_secret: SECRET,
  application_type: 'native',
  token_endpoint_auth_method: method,
  grant_types: ['authorization_code', TOKEN_EXCHANGE],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/cb'],
});
const atAs = (client_id: string) => ({
  client_id,
  client_secret: SECRET,
  grant_types: [JWT_BEARER],
  response_types: [],
  redirect_uris: [],
});
const APPS: Record<string, string> = { app: 'mcp-app', 'app-post': 'mcp-app-post' };

let idp: TestAs;
let mcpAs: TestAs;
let rs: Rs;
/** The ID tokens the IdP issued to `app` and to `app-post` for its user, carol. */
let idToken: string;
let idTokenPost: string;
before(async () => {
  let asIssuer = '';
  idp = await startAs({
    user: 'carol',
    clients: [atIdp('app', 'client_secret_basic'), atIdp('app-post', 'client_secret_post')],
    // The IdP's policy: ID-JAGs for the MCP AS (and, to test the AS's audience check, for another AS).
    idJagPolicy: (aud, client) => (aud === asIssuer || aud === OTHER_AS ? APPS[client] : undefined),
  });
  mcpAs = await startAs({ idJagIssuer: idp.issuer, clients: [atAs('mcp-app'), atAs('mcp-app-post')] });
  asIssuer = mcpAs.issuer;
  rs = await startRs(mcpAs);
  idToken = await idTokenFrom(idp, { client_id: 'app', client_secret: SECRET });
  idTokenPost = await idTokenFrom(idp, { client_id: 'app-post', client_secret: SECRET }, 'post');
});
after(async () => {
  await mcpAs.close();
  await idp.close();
});

/** The AuthError behind a failed connect or call. */
function typed(e: unknown): AuthError {
  const err = (e as { cause?: unknown }).cause instanceof AuthError ? (e as { cause: AuthError }).cause : e;
  assert.ok(err instanceof AuthError, `a typed AuthError, got ${String(e)}`);
  return err;
}

/** A tsmcp client with the ID-JAG grant; `seen` collects each ID-JAG it presented. */
function enterpriseClient(url: string, o: { subjectToken?: string; audience?: string } = {}) {
  const seen: string[] = [];
  const jag = idJagAssertion({
    idpTokenEndpoint: `${idp.issuer}/token`,
    subjectToken: () => o.subjectToken ?? idToken,
    clientId: 'app',
    clientSecret: SECRET,
    ...(o.audience ? { audience: o.audience } : {}),
  });
  const auth = oauthClient({
    serverUrl: url,
    grant: {
      type: 'jwt_bearer',
      clientId: 'mcp-app',
      clientSecret: SECRET,
      assertion: async (ctx: AssertionContext) => {
        const j = await jag(ctx);
        seen.push(j);
        return j;
      },
    },
  });
  return { auth, seen };
}

async function callOnce(url: string, auth: ReturnType<typeof oauthClient>) {
  const c = await connect(url, auth);
  try {
    return await whoami(c);
  } finally {
    await c.close();
  }
}

describe('enterprise-managed authorization (ID-JAG) with oidc-provider', () => {
  it('ID token → ID-JAG → access token: the handler sees the IdP user and the client at the AS', async () => {
    idp.counts.clear();
    mcpAs.counts.clear();
    const { auth, seen } = enterpriseClient(rs.url);
    const me = await callOnce(rs.url, auth);
    assert.equal(me.subject, 'carol', 'the IdP user, not the MCP AS login');
    assert.equal(me.clientId, 'mcp-app');
    assert.deepEqual(me.scopes, ['mcp:tools']);
    assert.equal(seen.length, 1);
    assert.equal(decodeProtectedHeader(seen[0]!).typ, ID_JAG_TYP);
    const claims = decodeJwt(seen[0]!);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.aud, mcpAs.issuer, 'aud = the MCP AS issuer');
    assert.equal(claims.resource, rs.url, 'resource = the PRM resource');
    assert.equal(claims.client_id, 'mcp-app');
    assert.equal(claims.sub, 'carol');
    assert.equal(idp.counts.get(TOKEN_EXCHANGE), 1);
    assert.equal(mcpAs.counts.get(JWT_BEARER), 1);
    assert.equal(mcpAs.counts.get('id-jag.accepted'), 1);
  });

  it('the IdP refuses the exchange (an ID token issued to another app): TSMCP_AUTH_ID_JAG, the AS never asked', async () => {
    idp.counts.clear();
    mcpAs.counts.clear();
    const fresh = await startRs(mcpAs);
    const { auth, seen } = enterpriseClient(fresh.url, { subjectToken: idTokenPost });
    const e = await callOnce(fresh.url, auth).then(
      () => assert.fail('connected'),
      (e: unknown) => typed(e),
    );
    assert.equal(e.code, 'TSMCP_AUTH_ID_JAG');
    assert.equal(e.field, 'error');
    assert.equal(e.received, 'invalid_grant');
    assert.equal(seen.length, 0);
    assert.deepEqual(Object.fromEntries(idp.counts), { [`${TOKEN_EXCHANGE}:invalid_grant`]: 1 }, 'asked once');
    assert.deepEqual(Object.fromEntries(mcpAs.counts), {}, 'no token request at the MCP AS');
  });

  it('an ID-JAG for another AS: the AS refuses once, TSMCP_AUTH_TOKEN invalid_grant, no retry', async () => {
    idp.counts.clear();
    mcpAs.counts.clear();
    const fresh = await startRs(mcpAs);
    const { auth, seen } = enterpriseClient(fresh.url, { audience: OTHER_AS });
    const e = await callOnce(fresh.url, auth).then(
      () => assert.fail('connected'),
      (e: unknown) => typed(e),
    );
    assert.equal(e.code, 'TSMCP_AUTH_TOKEN');
    assert.equal(e.field, 'error');
    assert.equal(e.received, 'invalid_grant');
    assert.equal(seen.length, 1, 'one ID-JAG');
    assert.equal(decodeJwt(seen[0]!).aud, OTHER_AS);
    assert.deepEqual(Object.fromEntries(idp.counts), { [TOKEN_EXCHANGE]: 1 });
    assert.deepEqual(Object.fromEntries(mcpAs.counts), { [`${JWT_BEARER}:invalid_grant`]: 1 }, 'one refusal');
  });
});

describe('interop: the official v2 CrossAppAccessProvider against the same IdP, AS and tsmcp server', () => {
  it('gets an ID-JAG from the IdP and a token from the AS; the handler sees carol', async () => {
    const authProvider = new CrossAppAccessProvider({
      clientId: 'mcp-app-post',
      clientSecret: SECRET,
      expectedIssuer: mcpAs.issuer,
      assertion: async (ctx) =>
        (
          await requestJwtAuthorizationGrant({
            tokenEndpoint: `${idp.issuer}/token`,
            audience: ctx.authorizationServerUrl,
            resource: ctx.resourceUrl,
            idToken: idTokenPost,
            clientId: 'app-post',
            clientSecret: SECRET,
            ...(ctx.scope ? { scope: ctx.scope } : {}),
            fetchFn: ctx.fetchFn,
          })
        ).jwtAuthGrant,
    });
    const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
    await c.connect(new V2Http(new URL(rs.url), { authProvider }));
    try {
      const r = (await c.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
      const me = JSON.parse(r.content[0]!.text);
      assert.equal(me.subject, 'carol');
      assert.equal(me.clientId, 'mcp-app-post');
    } finally {
      await c.close();
    }
  });
});
