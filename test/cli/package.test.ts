// The `tsmcp` bin as npm installs it: package.json names the built file, which starts with a node shebang
// and runs; docs/cli.md's code block is its example file, and that example runs by itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoPath } from '../helpers/repo.js';

describe('tsmcp bin', () => {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { bin: Record<string, string> };

  it('package.json "bin" points at the built CLI, a node script with a shebang', () => {
    assert.equal(pkg.bin.tsmcp, 'dist/src/cli/main.js');
    const file = repoPath(pkg.bin.tsmcp);
    assert.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const r = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: tsmcp <command> \[options\] <server>/);
  });

  it('docs/cli.md shows examples/docs/cli/server.ts as it is, and the example runs', () => {
    const doc = readFileSync(repoPath('docs', 'cli.md'), 'utf8');
    const block = /<!-- example: examples\/docs\/cli\/server\.ts -->\n```ts\n([\s\S]*?)```\n/.exec(doc);
    assert.ok(block, 'docs/cli.md has the example block');
    assert.equal(block[1], readFileSync(repoPath('examples', 'docs', 'cli', 'server.ts'), 'utf8'));
    const r = spawnSync(process.execPath, [repoPath('dist', 'examples', 'docs', 'cli', 'server.js')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
  });
});
