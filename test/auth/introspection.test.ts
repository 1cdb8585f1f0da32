// introspectionVerifier (RFC 7662) against a local introspection endpoint on 127.0.0.1: audience always
// checked, active answers cached no longer than `exp`, the cache bounded; an endpoint failure is 503, never a pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { introspectionVerifier, protectedResource } from '../../src/auth/index.js';
import { listenNode } from '../helpers/listen.js';
import { authedServer, callTool, serveAuthed } from './helpers.js';

const AUD = 'https://mcp.example.com/mcp';
const now = () => Math.floor(Date.now() / 1000);

/** The authorization server's endpoint: answers from `answers` by token, counts calls, checks its client. */
async function endpoint(answers: { [token: string]: object }) {
  const state = { calls: 0, down: false };
  const port = await listenNode((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      state.calls++;
      if (state.down || req.headers.authorization !== `Basic ${btoa('rs:secret')}`) {
        res.writeHead(state.down ? 500 : 401);
        return res.end();
      }
      const token = new URLSearchParams(body).get('token') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answers[token] ?? { active: false }));
    });
  });
  return { url: `http://127.0.0.1:${port}/introspect`, state };
}

const verifierFor = (url: string, audience = AUD, extra: object = {}) =>
  introspectionVerifier({ endpoint: url, clientId: 'rs', clientSecret: 'secret', audience, ...extra });

describe('introspectionVerifier', () => {
  it('accepts an active token for this audience and caches the answer', async () => {
    const ep = await endpoint({
      good: { active: true, sub: 'alice', client_id: 'app', scope: 'mcp', aud: AUD, exp: now() + 600 },
    });
    const v = verifierFor(ep.url);
    for (let i = 0; i < 3; i++) {
      const info = await v.verify('good');
      assert.deepEqual(
        { ...info, expiresAt: undefined },
        { subject: 'alice', clientId: 'app', scopes: ['mcp'], expiresAt: undefined, token: 'good' },
      );
    }
    assert.equal(ep.state.calls, 1);
  });

  it('refuses inactive, other-audience, audience-less and expired answers', async () => {
    const ep = await endpoint({
      other: { active: true, sub: 'a', aud: 'https://other.example/mcp', exp: now() + 600 },
      slash: { active: true, sub: 'a', aud: `${AUD}/`, exp: now() + 600 },
      noaud: { active: true, sub: 'a', exp: now() + 600 },
      expired: { active: true, sub: 'a', aud: [AUD], exp: now() - 5 },
    });
    const v = verifierFor(ep.url);
    const expect: [string, string][] = [
      ['inactive', 'inactive'],
      ['other', 'audience'],
      ['slash', 'audience'],
      ['noaud', 'audience'],
      ['expired', 'expired'],
    ];
    for (const [token, reason] of expect)
      await assert.rejects(v.verify(token), { code: 'TSMCP_INVALID_TOKEN', reason }, token);
    assert.equal(v.cacheSize, 0);
  });

  it('reuses an answer no longer than the token lives', async () => {
    // exp at least 2 s away (now() is whole seconds), so a loaded machine still verifies it first.
    const exp = now() + 3;
    const ep = await endpoint({ short: { active: true, sub: 'a', aud: AUD, exp } });
    const v = verifierFor(ep.url, AUD, { cacheTtlSec: 3600 });
    await v.verify('short');
    for (let i = 0; i < 50 && Date.now() / 1000 <= exp; i++) await new Promise((r) => setTimeout(r, 100));
    // Past exp: the cached answer is not used; the endpoint is asked again, and the token is refused.
    await assert.rejects(v.verify('short'), { reason: 'expired' });
    assert.equal(ep.state.calls, 2);
  });

  it('bounds its cache (maxCacheEntries)', async () => {
    const answers: { [t: string]: object } = {};
    for (let i = 0; i < 5; i++) answers[`t${i}`] = { active: true, sub: `u${i}`, aud: AUD, exp: now() + 600 };
    const ep = await endpoint(answers);
    const v = verifierFor(ep.url, AUD, { maxCacheEntries: 2 });
    for (let i = 0; i < 5; i++) await v.verify(`t${i}`);
    assert.equal(v.cacheSize, 2);
  });

  it('over HTTP: an endpoint failure answers 503, never lets the call through', async () => {
    const ep = await endpoint({ good: { active: true, sub: 'alice', scope: 'mcp', aud: AUD, exp: now() + 600 } });
    const errors: unknown[] = [];
    const { origin } = await serveAuthed('web', authedServer(), () =>
      protectedResource({
        resource: AUD,
        authorizationServers: ['https://auth.example.com'],
        verifier: verifierFor(ep.url, AUD, { cacheTtlSec: 0 }),
        onerror: (e) => errors.push(e),
      }),
    );
    assert.equal((await callTool(`${origin}/mcp`, 'whoami', 'Bearer good')).status, 200);
    assert.equal((await callTool(`${origin}/mcp`, 'whoami', 'Bearer nope')).status, 401);
    ep.state.down = true;
    assert.equal((await callTool(`${origin}/mcp`, 'whoami', 'Bearer good')).status, 503);
    assert.equal(errors.length, 1);
  });
});
