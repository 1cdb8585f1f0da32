// tsmcp/auth/node: the RFC 8252 loopback login (over a real loopback listener, the "browser" being an
// injected opener that GETs the callback) and the 0600, atomically replaced token file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuthError, oauthClient } from '../../src/auth/client/index.js';
import { AuthCallbackError, FileTokenStore, loopbackLogin } from '../../src/auth/node/index.js';

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The authorization URL the OAuth client would build for this redirect URI. */
function authUrl(redirectUri: string, state = 'st-1'): URL {
  const u = new URL('https://as.example/authorize');
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('state', state);
  return u;
}

const code = (e: unknown) => (e as AuthError).code;

describe('loopbackLogin', () => {
  it('listens on an ephemeral 127.0.0.1 port and resolves with the callback carrying code and state', async () => {
    const statuses: number[] = [];
    const login = loopbackLogin({
      open: async (url) => {
        const cb = url.searchParams.get('redirect_uri')!;
        statuses.push((await fetch(`${cb}?state=wrong&code=evil`)).status); // another login's answer: ignored
        statuses.push((await fetch(new URL('/favicon.ico', cb))).status);
        const res = await fetch(`${cb}?code=c-1&state=st-1`);
        statuses.push(res.status);
        assert.match(await res.text(), /Login complete/);
      },
    });
    const uri = await login.redirectUri();
    assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(await login.redirectUri(), uri, 'one listener per login');
    const port = Number(new URL(uri).port);
    const callback = new URL(await login.redirect(authUrl(uri)));
    assert.equal(callback.searchParams.get('code'), 'c-1');
    assert.equal(callback.searchParams.get('state'), 'st-1');
    assert.deepEqual(statuses, [400, 404, 200]);
    assert.equal(await accepts(port), false, 'the listener is closed after the login');
  });

  it("turns the AS's error=access_denied into TSMCP_AUTH_CALLBACK_ERROR with its code and description", async () => {
    let page = '';
    const login = loopbackLogin({
      open: async (url) => {
        const cb = url.searchParams.get('redirect_uri')!;
        const res = await fetch(`${cb}?error=access_denied&error_description=%3Cb%3Enope%3C%2Fb%3E&state=st-1`);
        page = await res.text();
      },
    });
    const uri = await login.redirectUri();
    await assert.rejects(login.redirect(authUrl(uri)), (e: unknown) => {
      assert.ok(e instanceof AuthCallbackError && e instanceof AuthError);
      assert.equal(e.code, 'TSMCP_AUTH_CALLBACK_ERROR');
      assert.equal(e.error, 'access_denied');
      assert.equal(e.errorDescription, '<b>nope</b>');
      return true;
    });
    assert.match(page, /access_denied/);
    assert.doesNotMatch(page, /<b>nope/, 'the description is escaped in the page');
    assert.equal(await accepts(Number(new URL(uri).port)), false);
  });

  it('times out with TSMCP_AUTH_LOGIN_TIMEOUT and closes its port', async () => {
    const login = loopbackLogin({ timeoutMs: 50, open: () => {} });
    const uri = await login.redirectUri();
    const port = Number(new URL(uri).port);
    assert.equal(await accepts(port), true);
    await assert.rejects(login.redirect(authUrl(uri)), (e) => code(e) === 'TSMCP_AUTH_LOGIN_TIMEOUT');
    assert.equal(await accepts(port), false);
  });

  it('aborts with TSMCP_AUTH_LOGIN_ABORTED and closes its port', async () => {
    const ac = new AbortController();
    const login = loopbackLogin({ signal: ac.signal, open: () => ac.abort() });
    const uri = await login.redirectUri();
    const port = Number(new URL(uri).port);
    await assert.rejects(login.redirect(authUrl(uri)), (e) => code(e) === 'TSMCP_AUTH_LOGIN_ABORTED');
    assert.equal(await accepts(port), false);
    await assert.rejects(
      login.redirectUri(),
      (e) => code(e) === 'TSMCP_AUTH_LOGIN_ABORTED',
      'no listener once aborted',
    );
  });

  it('refuses an authorization URL for another redirect URI, and a failing opener, closing the port', async () => {
    const a = loopbackLogin({ open: () => {} });
    const uri = await a.redirectUri();
    await assert.rejects(
      a.redirect(authUrl('http://127.0.0.1:1/elsewhere')),
      (e) => code(e) === 'TSMCP_AUTH_LOGIN_REDIRECT_URI',
    );
    assert.equal(await accepts(Number(new URL(uri).port)), false);
    const b = loopbackLogin({
      open: () => {
        throw new Error('no browser');
      },
    });
    const uriB = await b.redirectUri();
    await assert.rejects(b.redirect(authUrl(uriB)), (e) => code(e) === 'TSMCP_AUTH_LOGIN_OPEN');
    assert.equal(await accepts(Number(new URL(uriB).port)), false);
  });

  it('plugs into oauthClient: registers, authorizes and redeems the code with the loopback redirect URI', async () => {
    const seen: { registered?: unknown; tokenRedirect?: string | null } = {};
    const as = 'https://as.example';
    const json = (v: unknown) => new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json' } });
    const fakeFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.pathname.startsWith('/.well-known/oauth-protected-resource'))
        return json({ resource: 'https://mcp.example/mcp', authorization_servers: [as] });
      if (url.pathname.startsWith('/.well-known/oauth-authorization-server'))
        return json({
          issuer: as,
          authorization_endpoint: `${as}/authorize`,
          token_endpoint: `${as}/token`,
          registration_endpoint: `${as}/register`,
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      if (url.pathname === '/register') {
        seen.registered = JSON.parse(String(init?.body)).redirect_uris;
        return json({ client_id: 'dcr-1' });
      }
      if (url.pathname === '/token') {
        seen.tokenRedirect = new URLSearchParams(String(init?.body)).get('redirect_uri');
        return json({ access_token: 'at-1', token_type: 'Bearer' });
      }
      return new Response(null, { status: 404 });
    };
    let port = 0;
    const client = oauthClient({
      serverUrl: 'https://mcp.example/mcp',
      fetch: fakeFetch as typeof fetch,
      ...loopbackLogin({
        open: async (url) => {
          // The AS's consent page, approved at once: back to the registered redirect URI.
          const cb = new URL(url.searchParams.get('redirect_uri')!);
          port = Number(cb.port);
          cb.searchParams.set('code', 'code-1');
          cb.searchParams.set('state', url.searchParams.get('state')!);
          assert.equal((await fetch(cb)).status, 200);
        },
      }),
    });
    assert.equal(await client.onUnauthorized(new Response(null, { status: 401 })), true);
    assert.deepEqual(client.headers(), { authorization: 'Bearer at-1' });
    const uri = `http://127.0.0.1:${port}/callback`;
    assert.deepEqual(seen, { registered: [uri], tokenRedirect: uri });
    assert.equal(await accepts(port), false);
  });

  it("takes a fixed port and host 'localhost'; a busy port fails with TSMCP_AUTH_LOGIN_LISTEN", async () => {
    const first = loopbackLogin({ open: () => {} });
    const port = Number(new URL(await first.redirectUri()).port);
    const busy = loopbackLogin({ port, open: () => {} });
    await assert.rejects(busy.redirectUri(), (e) => code(e) === 'TSMCP_AUTH_LOGIN_LISTEN');
    await first.close();
    const fixed = loopbackLogin({ port, host: 'localhost', path: '/cb', open: () => {} });
    assert.equal(await fixed.redirectUri(), `http://localhost:${port}/cb`);
    await fixed.close();
  });

  it('close() ends a login abandoned before redirect', async () => {
    const login = loopbackLogin({ open: () => {} });
    const port = Number(new URL(await login.redirectUri()).port);
    await login.close();
    assert.equal(await accepts(port), false);
  });
});

describe('FileTokenStore', () => {
  const withDir = async (run: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'tsmcp-store-'));
    try {
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('round-trips clients and tokens through a 0600 file, leaving no temporary file behind', () =>
    withDir(async (dir) => {
      const path = join(dir, 'tokens.json');
      const a = new FileTokenStore(path);
      assert.equal(await a.getClient('https://as'), undefined, 'a missing file is an empty store');
      await Promise.all([
        a.setClient('https://as', { client_id: 'c1' }),
        a.setTokens('https://as', 'https://mcp', { access_token: 'at', token_type: 'Bearer', expiresAt: 5 }),
        a.setTokens('https://as', 'https://mcp/2', { access_token: 'at2', token_type: 'Bearer' }),
      ]);
      const b = new FileTokenStore(path); // another process, later
      assert.deepEqual(await b.getClient('https://as'), { client_id: 'c1' });
      assert.deepEqual(await b.getTokens('https://as', 'https://mcp'), {
        access_token: 'at',
        token_type: 'Bearer',
        expiresAt: 5,
      });
      assert.equal((await b.getTokens('https://as', 'https://mcp/2'))?.access_token, 'at2');
      assert.equal(await b.getTokens('https://as', 'https://other'), undefined);
      if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(dir), ['tokens.json']);
    }));

  it('keeps discovery records per MCP server URL beside clients and tokens, bounded by maxEntries', () =>
    withDir(async (dir) => {
      const path = join(dir, 'tokens.json');
      const record = {
        issuer: 'https://as',
        resource: 'https://mcp/',
        metadata: { issuer: 'https://as', token_endpoint: 'https://as/token' },
        scope: 'a b',
        dpop: true,
        discoveredAt: 7,
      };
      const a = new FileTokenStore(path, { maxEntries: 1 });
      await a.setTokens('https://as', 'https://mcp/', { access_token: 'at', token_type: 'Bearer' });
      await a.setDiscovery('https://mcp/', record);
      await assert.rejects(a.setDiscovery('https://other/', record), (e) => code(e) === 'TSMCP_AUTH_STORE_FULL');
      await a.setDiscovery('https://mcp/', { ...record, discoveredAt: 8 }); // replaced, not added
      const b = new FileTokenStore(path); // another process, later
      assert.deepEqual(await b.getDiscovery('https://mcp/'), { ...record, discoveredAt: 8 });
      assert.equal(await b.getDiscovery('https://other/'), undefined);
      assert.equal((await b.getTokens('https://as', 'https://mcp/'))?.access_token, 'at');
      if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(dir), ['tokens.json']);
    }));

  it('is bounded: a new key past maxEntries fails with TSMCP_AUTH_STORE_FULL, existing keys still update', () =>
    withDir(async (dir) => {
      const s = new FileTokenStore(join(dir, 't.json'), { maxEntries: 1 });
      await s.setClient('https://a', { client_id: '1' });
      await assert.rejects(s.setClient('https://b', { client_id: '2' }), (e) => code(e) === 'TSMCP_AUTH_STORE_FULL');
      await s.setClient('https://a', { client_id: '3' });
      assert.deepEqual(await s.getClient('https://a'), { client_id: '3' });
      assert.equal(await s.getClient('https://b'), undefined);
    }));

  it('refuses a corrupt file with TSMCP_AUTH_STORE_CORRUPT and never overwrites it', () =>
    withDir(async (dir) => {
      for (const text of [
        '{"version":1,"clients":{',
        '[]',
        '{"version":2,"clients":{},"tokens":{}}',
        '{"version":1,"clients":{"x":{}},"tokens":{}}',
        '{"version":1,"clients":{},"tokens":{},"discovery":[]}',
        // A record whose metadata names another issuer: the client would send tokens where it points.
        '{"version":1,"clients":{},"tokens":{},"discovery":{"https://mcp":{"issuer":"https://as","metadata":{"issuer":"https://evil","token_endpoint":"https://evil/t"},"discoveredAt":1}}}',
        '{"version":1,"clients":{},"tokens":{},"discovery":{"https://mcp":{"issuer":"https://as","metadata":{"issuer":"https://as"},"discoveredAt":1}}}',
      ]) {
        const path = join(dir, 'tokens.json');
        await writeFile(path, text);
        const s = new FileTokenStore(path);
        await assert.rejects(s.getClient('https://as'), (e) => code(e) === 'TSMCP_AUTH_STORE_CORRUPT', text);
        await assert.rejects(
          s.setClient('https://as', { client_id: 'c' }),
          (e) => code(e) === 'TSMCP_AUTH_STORE_CORRUPT',
          text,
        );
        assert.equal(await readFile(path, 'utf8'), text);
        assert.deepEqual(await readdir(dir), ['tokens.json']);
      }
    }));

  it('leaves the old file whole and no temporary file when a write fails', () =>
    withDir(async (dir) => {
      const path = join(dir, 'missing-folder', 'tokens.json');
      const s = new FileTokenStore(path);
      await assert.rejects(s.setClient('https://as', { client_id: 'c' }), (e) => code(e) === 'TSMCP_AUTH_STORE_WRITE');
      assert.deepEqual(await readdir(dir), []);
    }));

  describe('lock()', () => {
    /** The lock file's name, learnt while holding it once. */
    const lockName = (s: FileTokenStore, dir: string) =>
      s.lock('https://as', 'https://mcp', async () => (await readdir(dir)).find((n) => n.endsWith('.lock'))!);

    it('waits at most lockWaitMs for a live holder, then fails with TSMCP_AUTH_STORE_LOCKED; removes its own lock', () =>
      withDir(async (dir) => {
        const s = new FileTokenStore(join(dir, 'tokens.json'), { lockWaitMs: 0 });
        const name = await lockName(s, dir);
        assert.deepEqual(await readdir(dir), [], 'released');
        await writeFile(join(dir, name), JSON.stringify({ pid: process.pid, host: hostname(), id: 'other' }));
        let ran = 0;
        await assert.rejects(
          s.lock('https://as', 'https://mcp', async () => ran++),
          (e) => code(e) === 'TSMCP_AUTH_STORE_LOCKED' && /lockWaitMs/.test((e as Error).message),
        );
        assert.equal(ran, 0);
        assert.equal(await s.lock('https://as', 'https://other', async () => 'free'), 'free', 'one lock per key');
      }));

    it('takes over a lock older than lockStaleMs or held by a process that is gone', () =>
      withDir(async (dir) => {
        const s = new FileTokenStore(join(dir, 'tokens.json'), { lockWaitMs: 0 });
        const name = await lockName(s, dir);
        await writeFile(join(dir, name), JSON.stringify({ pid: process.pid, host: hostname(), id: 'old' }));
        await utimes(join(dir, name), new Date(0), new Date(0));
        assert.equal(await s.lock('https://as', 'https://mcp', async () => 'stale'), 'stale');
        const gone = spawnSync(process.execPath, ['-e', '']).pid!; // exited
        await writeFile(join(dir, name), JSON.stringify({ pid: gone, host: hostname(), id: 'dead' }));
        assert.equal(await s.lock('https://as', 'https://mcp', async () => 'dead'), 'dead');
        assert.deepEqual(await readdir(dir), []);
      }));
  });
});
