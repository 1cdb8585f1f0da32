// The built `tsmcp` CLI in a pseudo-terminal (util-linux `script`): a progress bar on stderr, elicitation
// forms answered on the terminal (by field type), and without a terminal a clear refusal; Ctrl-C sends
// the cancellation to the server, stops the spawned server and exits 130.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';
import { EVERYTHING, inTerminal, killAll, start, tsmcp, until } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsmcp-cli-'));
after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const server = ['--', process.execPath, EVERYTHING, '--stdio'];

for (const version of ['auto', 'legacy'])
  describe(`tsmcp CLI in a terminal (--version ${version})`, () => {
    it('draws a progress bar on stderr while a tool reports progress', async () => {
      const r = await inTerminal([`--version=${version}`, 'call', 'test_tool_with_progress', ...server]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /\[-{24}\] 0% Completed step 1 of 3/);
      assert.match(r.out, /\[#{12}-{12}\] 50% Completed step 2 of 3/);
      assert.match(r.out, /\[#{24}\] 100% Completed step 3 of 3/);
      assert.match(r.out, /Progress tool completed/);
    });

    it('asks the fields of an elicitation form by type and sends the answers', async () => {
      const r = await inTerminal(
        [`--version=${version}`, 'call', 'test_elicitation_sep1034_defaults', ...server],
        [
          ['name (User name) <text> [John Doe]: ', 'Ada'],
          ['age (User age) <whole number> [30]: ', '4.5'], // refused: not an integer
          ['expected a whole number', '36'],
          ['score (User score) <number> [95.5]: ', ''], // the default
          ['status (User status) <number> [active]: ', '3'],
          ['verified (Verification status) <y/n> [true]: ', 'n'],
        ],
      );
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /Please review and update the form fields with defaults/);
      assert.match(r.out, /1\) active\r?\n {2}2\) inactive\r?\n {2}3\) pending/);
      assert.match(
        r.out,
        /action=accept, content=\{"name":"Ada","age":36,"score":95.5,"status":"pending","verified":false\}/,
      );
    });
  });

describe('tsmcp CLI without a terminal', () => {
  it('fails an elicitation with a message that says why (exit 1)', async () => {
    const r = await tsmcp('call', 'test_elicitation', 'message=Who are you?', ...server);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The server asks for input \("Who are you\?"\), but stdin is not a terminal/);
    assert.equal(r.stdout, '');
  });

  it('draws no progress bar when stderr is not a terminal', async () => {
    const r = await tsmcp('call', 'test_tool_with_progress', ...server);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /%/);
  });
});

describe('tsmcp CLI and Ctrl-C', () => {
  const fixture = distPath('test/fixtures/cli-slow-server.js');
  for (const version of ['auto', 'legacy'])
    it(`--version ${version}: SIGINT cancels the call on the server, stops the child, exits 130`, async () => {
      const marker = join(dir, `marker-${version}`);
      const cli = start([`--version=${version}`, 'call', 'slow', '--', process.execPath, fixture, marker]);
      const log = () => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');
      await until(() => /started \d+/.test(log()), 'the tool to start');
      const pid = Number(/started (\d+)/.exec(log())![1]);
      cli.child.kill('SIGINT');
      const r = await cli.done;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /Interrupted: cancelling the request/);
      assert.match(log(), /cancelled/, 'the server saw notifications/cancelled');
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await until(() => !alive(), `the spawned server (pid ${pid}) to be gone`, 10_000);
    });
});
