// The official conformance suite's required server scenarios (2025-11-25 and 2026-07-28) against the
// everything server with a pass-through middleware and the request logger installed: the middleware seam
// must change nothing on the wire; then the whole suite (tasks included), as server.test.ts does without.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';
import { node22Tools, repoPath } from '../helpers/repo.js';

/** The project's runner (it bounds each run itself; the timer is a backstop); output kept to its last 64 KiB. */
function runConformance(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [repoPath('scripts', 'conformance.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (b: Buffer) => void (output = (output + b.toString()).slice(-65_536));
    c.stdout.on('data', keep);
    c.stderr.on('data', keep);
    const timer = setTimeout(() => c.kill('SIGTERM'), 660_000);
    c.once('close', (status) => (clearTimeout(timer), resolve({ status, output })));
  });
}

describe('official conformance suite, server side, through middleware', () => {
  const child = spawn(process.execPath, [distPath('examples/conformance/server.js'), '--middleware'], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  before(() => void node22Tools(), { timeout: 1_600_000 });
  after(() => {
    child.kill('SIGTERM');
  });

  // Only what the test needs of stderr: the address, and whether the logger wrote a tools/call line.
  let logged = false;
  const address = new Promise<string>((resolve, reject) => {
    let head = '';
    child.stderr.on('data', (c: Buffer) => {
      const s = c.toString();
      if (head.length < 4096) head += s;
      if (/tools\/call (ok|error) \d+ms/.test(s)) logged = true;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(head);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${head}`)));
  });

  it('passes every required scenario at 2025-11-25 and 2026-07-28', { timeout: 700_000 }, async () => {
    const url = await address;
    // Not spawnSync: the event loop must keep draining the server's stderr, or the logger's writes block it.
    const run = await runConformance([url]);
    const out = run.output;
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(summary, `no summary line from the suite:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[1]), 67, out.slice(-3000));
    assert.equal(run.status, 0);
    assert.ok(logged, 'the request logger wrote no tools/call line');
  });

  it('passes the whole suite, the tasks extension scenarios included', { timeout: 700_000 }, async () => {
    const run = await runConformance([await address, 'all']);
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(run.output);
    assert.ok(summary, `no summary line from the suite:\n${run.output.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${run.output.slice(-3000)}`);
    assert.ok(Number(summary[1]) >= 64, run.output.slice(-3000));
  });
});
