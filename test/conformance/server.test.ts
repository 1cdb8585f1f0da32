// The official conformance suite (locked in tools/node22, run by scripts/conformance.mjs under Node 22)
// against the everything server on HTTP: every required scenario of 2025-11-25 and 2026-07-28 must pass.
// Runs on every CI push.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';
import { node22Tools, repoPath } from '../helpers/repo.js';

/** The project's runner; it bounds each run itself (and reaps the suite's process group), this is a backstop. */
function conformance(args: string[]) {
  return spawnSync(process.execPath, [repoPath('scripts', 'conformance.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 660_000,
    killSignal: 'SIGTERM',
  });
}

describe('official conformance suite, server side', () => {
  const child = spawn(process.execPath, [distPath('examples/conformance/server.js')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The first run installs the tools (bounded by the helper), hence the hook's own generous limit.
  before(() => void node22Tools(), { timeout: 1_600_000 });
  after(() => {
    child.kill('SIGTERM');
  });

  const address = new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });

  it('passes every required scenario at 2025-11-25 and 2026-07-28', { timeout: 700_000 }, async () => {
    const url = await address;
    const run = conformance([url]);
    const out = `${run.stdout}${run.stderr}`;
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(summary, `no summary line from the suite:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[1]), 67, out.slice(-3000));
    assert.equal(run.status, 0);
  });

  it('passes the whole suite, the tasks extension scenarios included', { timeout: 700_000 }, async () => {
    const url = await address;
    const run = conformance([url, 'all']);
    const out = `${run.stdout}${run.stderr}`;
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(summary, `no summary line from the suite:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${out.slice(-3000)}`);
    assert.ok(Number(summary[1]) >= 64, out.slice(-3000));
  });
});
