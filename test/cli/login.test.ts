// `tsmcp login <url>`: the built CLI logs in through tsmcp/auth/node's loopback redirect (the "browser"
// is this test, following the URL the CLI prints), keeps the tokens in a 0600 FileTokenStore, and a later
// command on the same URL sends them without a new login.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tokenWorld } from '../auth/token-world.js';
import { killAll, start, tsmcpJson, until } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsmcp-login-'));
after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('tsmcp login', () => {
  it('logs in through the loopback redirect, stores the tokens, and later commands use them', async () => {
    const world = await tokenWorld();
    const tokens = join(dir, 'sub', 'tokens.json'); // its folder is created
    const auth = ['--tokens', tokens, '--client-id', 'cli'];
    const cli = start(['login', world.url, ...auth]);
    await until(() => /Open this URL in your browser to log in:\n(\S+)/.test(cli.output()), 'the login URL');
    const authorize = /Open this URL in your browser to log in:\n(\S+)/.exec(cli.output())![1]!;
    // The browser: the AS redirects to the CLI's loopback listener, which ends the login.
    const r = await fetch(authorize, { redirect: 'manual' });
    const callback = r.headers.get('location')!;
    assert.match(callback, /^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    const back = await fetch(callback);
    assert.match(await back.text(), /Login complete/);
    const done = await cli.done;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`Logged in to ${world.url}; tokens are kept in `));
    assert.equal(statSync(tokens).mode & 0o777, 0o600);
    assert.equal(world.seen.authorizations, 1);

    const called = await tsmcpJson<{ content: { text: string }[] }>(...auth, 'call', world.url, 'hi');
    assert.equal(called.content[0]!.text, 'hi');
    assert.equal(world.seen.authorizations, 1, 'no second login: the stored tokens were sent');
  });
});
