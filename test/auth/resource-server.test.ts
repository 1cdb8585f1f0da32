// The resource server over real loopback HTTP, both fronts: RFC 9728 metadata at the path-inserted and
// root well-known URLs (resource verbatim), 401/400/403 with the RFC 6750 challenges, verified AuthInfo in handlers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidTokenError, metadataNodeHandler, metadataWebHandler, protectedResource } from '../../src/auth/index.js';
import type { AuthInfo } from '../../src/protocol/identity.js';
import { listenNode, listenWeb } from '../helpers/listen.js';
import { authedServer, callTool, serveAuthed, type Front } from './helpers.js';

/** A custom verifier over a fixed table (the JWT and introspection verifiers have their own tests). */
const TOKENS: { [token: string]: AuthInfo } = {
  'alice-token': { subject: 'alice', clientId: 'app', scopes: ['mcp', 'admin'] },
  'bob-token': { subject: 'bob', clientId: 'app', scopes: ['other'] },
  'old-token': { subject: 'carol', scopes: ['mcp'], expiresAt: 1 },
};
const verifier = {
  async verify(token: string): Promise<AuthInfo> {
    const info = TOKENS[token];
    if (!info) throw new InvalidTokenError('signature', 'unknown token');
    return info;
  },
};
const rsFor = (resource: string) =>
  protectedResource({
    resource,
    authorizationServers: ['https://auth.example.com'],
    verifier,
    requiredScopes: ['mcp'],
    scopesSupported: ['mcp', 'admin'],
  });

for (const front of ['node', 'web'] as Front[]) {
  describe(`resource server (${front} front)`, () => {
    it('serves the metadata at the path-inserted and the root well-known URL, resource verbatim', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
        const r = await fetch(origin + path);
        assert.equal(r.status, 200, path);
        assert.deepEqual(await r.json(), {
          resource: `${origin}/mcp`,
          authorization_servers: ['https://auth.example.com'],
          bearer_methods_supported: ['header'],
          scopes_supported: ['mcp', 'admin'],
        });
      }
      // An origin-only resource stays without the `/` URL parsing would add.
      const bare = await serveAuthed(front, authedServer(), (o) => rsFor(o));
      const doc = (await (await fetch(`${bare.origin}/.well-known/oauth-protected-resource`)).json()) as {
        resource: string;
      };
      assert.equal(doc.resource, bare.origin);
      assert.equal(bare.rs.metadataUrl, `${bare.origin}/.well-known/oauth-protected-resource`);
    });

    it('answers a call without a token 401 with the exact challenge', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      const r = await callTool(`${origin}/mcp`, 'whoami');
      assert.equal(r.status, 401);
      assert.equal(
        r.challenge,
        `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
      );
      // Another scheme is no Bearer token either.
      assert.equal((await callTool(`${origin}/mcp`, 'whoami', 'Basic YTpi')).status, 401);
    });

    it('answers a bad or expired token 401 invalid_token, a malformed one 400 invalid_request', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      const prm = `${origin}/.well-known/oauth-protected-resource/mcp`;
      for (const token of ['forged-token', 'old-token']) {
        const r = await callTool(`${origin}/mcp`, 'whoami', `Bearer ${token}`);
        assert.equal(r.status, 401, token);
        assert.equal(r.challenge, `Bearer resource_metadata="${prm}", scope="mcp", error="invalid_token"`);
      }
      const bad = await callTool(`${origin}/mcp`, 'whoami', 'Bearer a"b');
      assert.equal(bad.status, 400);
      assert.match(bad.challenge ?? '', /error="invalid_request"/);
    });

    it('answers a token without the required scope 403 insufficient_scope naming the scopes', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      const r = await callTool(`${origin}/mcp`, 'whoami', 'Bearer bob-token');
      assert.equal(r.status, 403);
      assert.equal(
        r.challenge,
        `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp", error="insufficient_scope"`,
      );
    });

    it('gives the handler the verified AuthInfo', async () => {
      const { origin } = await serveAuthed(front, authedServer(), (o) => rsFor(`${o}/mcp`));
      const r = await callTool(`${origin}/mcp`, 'whoami', 'bearer alice-token');
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body.result!.content[0]!.text), {
        subject: 'alice',
        clientId: 'app',
        scopes: ['mcp', 'admin'],
      });
    });
  });
}

describe('standalone metadata handlers', () => {
  const rs = rsFor('https://mcp.example.com/tools/mcp');
  it('serves the document from node:http and Fetch API servers, 404 elsewhere', async () => {
    for (const port of [
      await listenNode(metadataNodeHandler(rs)),
      await listenWeb(async (r) => metadataWebHandler(rs)(r)),
    ]) {
      for (const path of ['/.well-known/oauth-protected-resource/tools/mcp', '/.well-known/oauth-protected-resource']) {
        const r = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('access-control-allow-origin'), '*');
        assert.equal(((await r.json()) as { resource: string }).resource, 'https://mcp.example.com/tools/mcp');
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/other`)).status, 404);
    }
  });

  it('refuses a resource it cannot protect', () => {
    for (const resource of ['http://mcp.example.com/mcp', 'https://mcp.example.com/mcp#x', 'not a url'])
      assert.throws(() => rsFor(resource), { code: 'TSMCP_AUTH_CONFIG' }, resource);
  });
});
