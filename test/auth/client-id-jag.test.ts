// Enterprise-managed authorization (SEP-990) with tsmcp/auth's idJagAssertion against a loopback IdP and
// AS: RFC 8693 token exchange at the IdP, then the JWT-bearer grant at the AS with the ID-JAG; an IdP
// refusal or a token that is not an ID-JAG fails typed, and the AS is never asked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError, idJagAssertion, oauthClient } from '../../src/auth/index.js';
import { listenWeb } from '../helpers/listen.js';

const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
type Mode = 'ok' | 'refuse' | 'not-id-jag';

/** An IdP (token exchange) and an AS + PRM (grant-only metadata) on two loopback origins. */
async function enterprise(mode: Mode) {
  const seen = {
    exchanges: [] as { body: URLSearchParams; authorization: string | null }[],
    grants: [] as URLSearchParams[],
  };
  const idp = `http://127.0.0.1:${await listenWeb(async (r) => {
    if (new URL(r.url).pathname !== '/token' || r.method !== 'POST') return new Response('nope', { status: 404 });
    seen.exchanges.push({ body: new URLSearchParams(await r.text()), authorization: r.headers.get('authorization') });
    if (mode === 'refuse')
      return Response.json({ error: 'invalid_grant', error_description: 'id token expired' }, { status: 400 });
    return Response.json({
      access_token: 'the.id.jag',
      issued_token_type: mode === 'ok' ? ID_JAG : 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'N_A',
    });
  })}`;
  let as = '';
  as = `http://127.0.0.1:${await listenWeb(async (r) => {
    const path = new URL(r.url).pathname;
    if (path === '/.well-known/oauth-protected-resource/mcp')
      return Response.json({ resource: `${as}/mcp`, authorization_servers: [as] });
    if (path === '/.well-known/oauth-authorization-server')
      return Response.json({
        issuer: as,
        token_endpoint: `${as}/token`,
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    if (path === '/token' && r.method === 'POST') {
      const body = new URLSearchParams(await r.text());
      seen.grants.push(body);
      const ok =
        body.get('assertion') === 'the.id.jag' &&
        r.headers.get('authorization') === `Basic ${btoa('mcp-client:mcp-secret')}`;
      return ok
        ? Response.json({ access_token: 'at-enterprise', token_type: 'Bearer' })
        : Response.json({ error: 'invalid_grant' }, { status: 400 });
    }
    return new Response('nope', { status: 404 });
  })}`;
  const client = oauthClient({
    serverUrl: `${as}/mcp`,
    grant: {
      type: 'jwt_bearer',
      clientId: 'mcp-client',
      clientSecret: 'mcp-secret',
      assertion: idJagAssertion({
        idpTokenEndpoint: `${idp}/token`,
        subjectToken: () => 'alice.id.token',
        clientId: 'idp-client',
        clientSecret: 'idp-secret',
      }),
    },
  });
  return { client, seen, as };
}

const unauthorized = () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer scope="mcp"' } });

describe('idJagAssertion (enterprise-managed authorization)', () => {
  it('exchanges the ID token for an ID-JAG naming the AS and resource, then presents it with the JWT-bearer grant', async () => {
    const { client, seen, as } = await enterprise('ok');
    assert.equal(await client.onUnauthorized(unauthorized()), true);
    assert.deepEqual(client.headers(), { authorization: 'Bearer at-enterprise' });
    assert.equal(seen.exchanges.length, 1);
    assert.deepEqual(Object.fromEntries(seen.exchanges[0]!.body), {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'alice.id.token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: ID_JAG,
      audience: as,
      resource: `${as}/mcp`,
      scope: 'mcp',
    });
    assert.equal(seen.exchanges[0]!.authorization, `Basic ${btoa('idp-client:idp-secret')}`);
    assert.deepEqual(Object.fromEntries(seen.grants[0]!), {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'the.id.jag',
      scope: 'mcp',
      resource: `${as}/mcp`,
    });
  });

  it('surfaces an IdP refusal as TSMCP_AUTH_ID_JAG, once, without asking the AS', async () => {
    const { client, seen } = await enterprise('refuse');
    await assert.rejects(client.onUnauthorized(unauthorized()), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'TSMCP_AUTH_ID_JAG');
      assert.deepEqual(
        [e.document, e.field, e.expected, e.received],
        ['token exchange response', 'error', 'an ID-JAG', 'invalid_grant'],
      );
      assert.match(e.message, /id token expired/);
      return true;
    });
    assert.deepEqual([seen.exchanges.length, seen.grants.length], [1, 0]);
  });

  it('refuses an answer whose issued_token_type is not the ID-JAG type', async () => {
    const { client, seen } = await enterprise('not-id-jag');
    await assert.rejects(client.onUnauthorized(unauthorized()), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'TSMCP_AUTH_ID_JAG');
      assert.deepEqual(
        [e.document, e.field, e.expected, e.received],
        ['token exchange response', 'issued_token_type', ID_JAG, 'urn:ietf:params:oauth:token-type:access_token'],
      );
      return true;
    });
    assert.equal(seen.grants.length, 0);
  });

  it('refuses a plain-http IdP off loopback at configuration', () => {
    assert.throws(
      () => idJagAssertion({ idpTokenEndpoint: 'http://idp.example/token', subjectToken: () => 't', clientId: 'c' }),
      { code: 'TSMCP_AUTH_INSECURE_URL' },
    );
  });
});
