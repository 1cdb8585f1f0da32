// Interop: the official v2 client (@modelcontextprotocol/client) runs its OWN OAuth flow against a tsmcp
// server protected by oidc-provider: discovery from tsmcp's 401 + protected resource metadata, DCR, the
// authorization code flow with PKCE (the headless user at the AS, the code caught on a loopback callback,
// finishAuth) or client_credentials (its ClientCredentialsProvider); the handler sees the AS's subject.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  ClientCredentialsProvider,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
  UnauthorizedError,
  StreamableHTTPClientTransport as V2Http,
  Client as V2Client,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { type Rs, startRs } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

const SECRET = 'svc-secret-svc-secret-svc-secret-svc';

let as: TestAs;
let rs: Rs;
let cb: ReturnType<typeof createServer>;
let redirectUrl: string;
/** Callback URLs the headless user's browser arrived at. */
const callbacks: URL[] = [];
before(async () => {
  as = await startAs({
    // The v2 client registers (DCR) with `scope` = the PRM's scopes_supported: the AS must list it.
    resourceScopeAtAs: true,
    clients: [
      {
        client_id: 'svc',
        client_secret: SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
  });
  rs = await startRs(as);
  cb = createServer((req, res) => {
    if (callbacks.length < 8) callbacks.push(new URL(req.url!, redirectUrl));
    res.end('done');
  });
  await new Promise<void>((r) => cb.listen(0, '127.0.0.1', r));
  redirectUrl = `http://127.0.0.1:${(cb.address() as AddressInfo).port}/callback`;
});
after(async () => {
  cb.close();
  await as.close();
});

/** A v2 OAuthClientProvider kept in memory; `redirectToAuthorization` only records the URL to open. */
class HeadlessProvider implements OAuthClientProvider {
  info?: StoredOAuthClientInformation;
  saved?: StoredOAuthTokens;
  verifier = '';
  discovery?: OAuthDiscoveryState;
  opened: URL[] = [];
  get redirectUrl() {
    return redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'official-v2',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(i: StoredOAuthClientInformation) {
    this.info = i;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: StoredOAuthTokens) {
    this.saved = t;
  }
  redirectToAuthorization(url: URL) {
    this.opened.push(url);
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  // Kept with the verifier so the callback leg checks the AS it started with (SEP-2352).
  saveDiscoveryState(d: OAuthDiscoveryState) {
    this.discovery = d;
  }
  discoveryState() {
    return this.discovery;
  }
}

async function whoamiV2(c: V2Client) {
  const r = (await c.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
  return JSON.parse(r.content[0]!.text) as { subject?: string; clientId?: string; scopes?: string[] };
}

describe('the official v2 client, its own OAuth flow, against tsmcp + oidc-provider', () => {
  it('authorization code + PKCE + DCR: 401 → PRM → AS metadata → register → login → finishAuth → call', async () => {
    as.counts.clear();
    const provider = new HeadlessProvider();
    const first = new V2Http(new URL(rs.url), { authProvider: provider });
    await assert.rejects(
      new V2Client({ name: 'official-v2', version: '1.0.0' }).connect(first),
      (e: unknown) => e instanceof UnauthorizedError,
    );
    assert.equal(provider.opened.length, 1, 'asked to open the authorization URL once');
    const authorize = provider.opened[0]!;
    assert.equal(authorize.origin, as.issuer);
    assert.equal(authorize.searchParams.get('resource'), rs.url, 'RFC 8707 resource from the PRM');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(as.counts.get('registration_create.success'), 1, 'registered by DCR');

    await as.login(authorize);
    assert.equal(callbacks.length, 1);
    await first.finishAuth(callbacks[0]!.searchParams);
    assert.equal(as.counts.get('authorization_code'), 1);
    assert.equal(decodeJwt(provider.saved!.access_token).aud, rs.url);

    const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
    await c.connect(new V2Http(new URL(rs.url), { authProvider: provider }));
    try {
      const me = await whoamiV2(c);
      assert.equal(me.subject, 'alice');
      assert.equal(me.clientId, provider.info!.client_id);
      assert.deepEqual(me.scopes, ['mcp:tools']);
    } finally {
      await c.close();
    }
    assert.equal(provider.opened.length, 1, 'no second login');
  });

  it('client_credentials (ClientCredentialsProvider): the handler sees the client', async () => {
    as.counts.clear();
    const authProvider = new ClientCredentialsProvider({
      clientId: 'svc',
      clientSecret: SECRET,
      expectedIssuer: as.issuer,
    });
    const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
    await c.connect(new V2Http(new URL(rs.url), { authProvider }));
    try {
      const me = await whoamiV2(c);
      assert.equal(me.subject, 'svc');
      assert.equal(me.clientId, 'svc');
    } finally {
      await c.close();
    }
    assert.equal(as.counts.get('client_credentials'), 1);
  });
});
