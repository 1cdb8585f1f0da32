// A new user's first hour, as docs/getting-started.md tells it, on the packed tarball: install it (and zod)
// into an empty project, type-check the page's server and test against the installed types, call the
// server with the installed `tsmcp` bin (stdio, both eras), and run the page's node:test file. npm runs
// with --offline: the packages come from the cache `npm ci` filled, never from the network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoPath, repoRoot } from './helpers/repo.js';

/** npm as the test was started (`npm test` sets npm_execpath), else the one on PATH. */
function npm(args: string[], cwd: string) {
  const cli = process.env.npm_execpath;
  const [cmd, argv] = cli && /npm-cli\.js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed: ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a command in the project, bounded; its exit code and output. Not as a child of this test run. */
function run(cmd: string, args: string[], cwd: string) {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env; // else a child `node --test` reports to this runner
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

const version = (name: string) =>
  (JSON.parse(readFileSync(repoPath('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('the first hour (docs/getting-started.md on the packed package)', () => {
  let dir: string;
  let project: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsmcp-first-hour-'));
    project = join(dir, 'first-server');
    // --ignore-scripts: `npm test` has just built; a prepack build would rewrite dist/ under running tests.
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], repoRoot())) as {
      filename: string;
    }[];
    spawnSync('mkdir', [project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'first-server', version: '1.0.0', type: 'module' }),
    );
    npm(
      ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed[0]!.filename), `zod@${version('zod')}`],
      project,
    );
    for (const f of ['server', 'server.test']) {
      copyFileSync(repoPath('examples', 'docs', 'getting-started', `${f}.ts`), join(project, `${f}.ts`));
      copyFileSync(repoPath('dist', 'examples', 'docs', 'getting-started', `${f}.js`), join(project, `${f}.js`));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the page's server and test type-check against the installed package's types", () => {
    const tsc = repoPath('node_modules', '.bin', 'tsc');
    const r = run(
      tsc,
      [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--typeRoots',
        repoPath('node_modules', '@types'),
        '--types',
        'node',
        'server.ts',
        'server.test.ts',
      ],
      project,
    );
    assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  });

  it('the installed tsmcp bin calls the server it serves, on both eras', () => {
    const bin = join(project, 'node_modules', '.bin', 'tsmcp');
    for (const era of ['auto', 'legacy']) {
      const r = run(
        bin,
        ['call', 'add', 'a=2', 'b=3', '--json', '--version', era, '--', bin, 'serve', 'server.js'],
        project,
      );
      assert.equal(r.status, 0, `${era}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout).structuredContent, { sum: 5 }, era);
    }
    const human = run(bin, ['call', 'add', 'a=1e308', 'b=1e308', '--', bin, 'serve', 'server.js'], project);
    assert.equal(human.status, 1);
    assert.match(human.stdout + human.stderr, /The sum is not a finite number: use smaller numbers/);
    assert.match(human.stdout + human.stderr, /Connected to first 1\.0\.0: modern era/);
  });

  it("the page's node:test file passes against the installed package", () => {
    const r = run(process.execPath, ['--test', 'server.test.js'], project);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /# pass 2/);
  });
});
