// End to end against oidc-provider: the tsmcp client registers (DCR), logs in through loopbackLogin with a
// headless user, gets a JWT access token for the MCP resource (RFC 8707 `aud`) and calls a tool.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { MemoryTokenStore, oauthClient } from '../../../src/auth/client/index.js';
import { loopbackLogin } from '../../../src/auth/node/index.js';
import { connect, type Rs, startRs, whoami } from './mcp.js';
import { startAs, type TestAs } from './provider.js';

let as: TestAs;
let rs: Rs;
before(async () => {
  as = await startAs();
  rs = await startRs(as);
});
after(() => as.close());

describe('authorization code + PKCE + DCR with oidc-provider', () => {
  it('gets a JWT for the resource and the handler sees the AS account as subject', async () => {
    const store = new MemoryTokenStore();
    const auth = oauthClient({ serverUrl: rs.url, store, ...loopbackLogin({ open: (u) => as.login(u) }) });
    const c = await connect(rs.url, auth);
    try {
      const me = await whoami(c);
      assert.equal(me.subject, 'alice');
      assert.deepEqual(me.scopes, ['mcp:tools']);
      const client = await store.getClient(as.issuer);
      assert.ok(client?.client_id, 'registered by DCR');
      assert.equal(me.clientId, client.client_id);
      const tokens = await store.getTokens(as.issuer, rs.url);
      const claims = decodeJwt(tokens!.access_token);
      assert.equal(claims.aud, rs.url, 'aud is the resource, verbatim');
      assert.equal(claims.iss, as.issuer);
      assert.ok(tokens!.refresh_token, 'a refresh token was issued');
      assert.equal(as.counts.get('registration_create.success'), 1);
      assert.equal(as.counts.get('authorization_code'), 1);
    } finally {
      await c.close();
    }
  });
});
