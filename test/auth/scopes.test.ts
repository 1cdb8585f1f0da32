// Scopes per tool over real loopback HTTP, both fronts: a call without the tool's scope is 403
// insufficient_scope listing every scope needed; tools/list may hide what the token cannot call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidTokenError, protectedResource, requireScopes } from '../../src/auth/index.js';
import type { AuthInfo } from '../../src/protocol/identity.js';
import { authedServer, callTool, listTools, serveAuthed, type Front } from './helpers.js';

const TOKENS: { [token: string]: AuthInfo } = {
  admin: { subject: 'alice', scopes: ['mcp', 'admin'] },
  user: { subject: 'bob', scopes: ['mcp'] },
};
const verifier = {
  async verify(token: string): Promise<AuthInfo> {
    const info = TOKENS[token];
    if (!info) throw new InvalidTokenError('signature', 'unknown token');
    return info;
  },
};

for (const front of ['node', 'web'] as Front[]) {
  describe(`scopes per tool (${front} front)`, () => {
    it('answers a call without the tool scope 403 insufficient_scope naming all scopes needed', async () => {
      const server = authedServer();
      const { origin } = await serveAuthed(front, server, (o) => {
        const rs = protectedResource({
          resource: `${o}/mcp`,
          authorizationServers: ['https://auth.example.com'],
          verifier,
          requiredScopes: ['mcp'],
        });
        server.use(requireScopes(rs, { tools: { admin: ['admin'] } }));
        return rs;
      });
      const url = `${origin}/mcp`;
      const r = await callTool(url, 'admin', 'Bearer user');
      assert.equal(r.status, 403);
      assert.equal(
        r.challenge,
        `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp admin", error="insufficient_scope"`,
      );
      assert.deepEqual(r.body.error?.data, { error: 'insufficient_scope', scopes: ['mcp', 'admin'] });
      assert.equal((await callTool(url, 'admin', 'Bearer admin')).status, 200);
      assert.equal((await callTool(url, 'whoami', 'Bearer user')).status, 200);
      // Listed by default: the client learns the scope when it calls.
      assert.deepEqual(await listTools(url, 'Bearer user'), ['whoami', 'admin']);
    });

    it('answers 403 with the challenge inside a legacy session too (not the session-wide 200)', async () => {
      const server = authedServer();
      const { origin } = await serveAuthed(front, server, (o) => {
        const rs = protectedResource({
          resource: `${o}/mcp`,
          authorizationServers: ['https://auth.example.com'],
          verifier,
        });
        server.use(requireScopes(rs, { tools: { admin: ['admin'] } }));
        return rs;
      });
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer user',
      };
      const init = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      });
      const session = init.headers.get('mcp-session-id')!;
      await init.text();
      const r = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'admin', arguments: {} } }),
      });
      assert.equal(r.status, 403);
      assert.match(r.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    });

    it('hides from tools/list what the token cannot call (hideTools)', async () => {
      const server = authedServer();
      const { origin } = await serveAuthed(front, server, (o) => {
        const rs = protectedResource({
          resource: `${o}/mcp`,
          authorizationServers: ['https://auth.example.com'],
          verifier,
        });
        server.use(requireScopes(rs, { tools: { admin: ['admin'] }, hideTools: true }));
        return rs;
      });
      assert.deepEqual(await listTools(`${origin}/mcp`, 'Bearer user'), ['whoami']);
      assert.deepEqual(await listTools(`${origin}/mcp`, 'Bearer admin'), ['whoami', 'admin']);
    });
  });
}
