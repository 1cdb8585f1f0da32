// The official conformance suite (pinned by ../shared/tools/conformance) against the everything server
// on HTTP: every required scenario of 2025-11-25 and 2026-07-28 must pass. Runs on every CI push.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';
import { specDir } from '../helpers/wire-schema.js';

const tools = join(dirname(specDir()), 'tools', 'conformance');

describe('official conformance suite, server side', () => {
  const child = spawn(process.execPath, [distPath('examples/conformance/server.js')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
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

  it('passes every required scenario at 2025-11-25 and 2026-07-28', { timeout: 600_000 }, async () => {
    const url = await address;
    const run = spawnSync('bash', [join(tools, 'server.sh'), url], { encoding: 'utf8', timeout: 540_000 });
    const out = `${run.stdout}${run.stderr}`;
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(summary, `no summary line from the suite:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[1]), 67, out.slice(-3000));
    assert.equal(run.status, 0);
  });

  it('passes the whole suite, the tasks extension scenarios included', { timeout: 600_000 }, async () => {
    const url = await address;
    const run = spawnSync('bash', [join(tools, 'server.sh'), url, 'all'], { encoding: 'utf8', timeout: 540_000 });
    const out = `${run.stdout}${run.stderr}`;
    const summary = /conformance-server: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(summary, `no summary line from the suite:\n${out.slice(-3000)}`);
    assert.equal(Number(summary[2]), 0, `failing scenarios:\n${out.slice(-3000)}`);
    assert.ok(Number(summary[1]) >= 64, out.slice(-3000));
  });
});
