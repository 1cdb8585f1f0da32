// The migration guides' examples run, and do what the guides say.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { distPath } from './helpers/raw-stdio.js';

const run = (example: string) =>
  spawnSync(process.execPath, [distPath(`examples/migration/${example}.js`)], { encoding: 'utf8', timeout: 60_000 });

describe('migration examples', () => {
  it('WebSocket before and Streamable HTTP after print the same answer; only before warns', () => {
    const before = run('websocket-before');
    const afterRun = run('websocket-after');
    assert.equal(before.status, 0, before.stderr);
    assert.equal(afterRun.status, 0, afterRun.stderr);
    assert.equal(before.stdout.trim(), 'Hello, Ada!');
    assert.equal(afterRun.stdout.trim(), 'Hello, Ada!');
    assert.match(before.stderr, /TSMCP_DEP001/);
    assert.equal(afterRun.stderr, '');
  });

  it('the experimental-tasks example (before) reaches the same result, with its deprecation warning', () => {
    const r = run('tasks-experimental-before');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Report on sales is ready.');
    assert.match(r.stderr, /TSMCP_DEP002/);
  });

  it('the tasks extension example follows a task through input to its result', () => {
    const r = run('tasks-extension');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'task working');
    assert.ok(lines.includes('task input_required'));
    assert.equal(lines.at(-2), 'task completed');
    assert.equal(lines.at(-1), 'Report on sales is ready.');
  });
});
