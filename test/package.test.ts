// What a user gets: the packed tarball (license, every `exports` target, sourcemaps that resolve inside it),
// a `prepack` that builds, and an install without engine warnings on the running Node (CI: the oldest
// supported one). Runs npm in dry-run modes only: nothing is written or installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { repoPath, repoRoot } from './helpers/repo.js';

/** npm as the test was started (`npm test` sets npm_execpath), else the one on PATH. */
function npm(args: string[]) {
  const cli = process.env.npm_execpath;
  const [cmd, argv] = cli && /npm-cli\.js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
  const r = spawnSync(cmd, argv, { cwd: repoRoot(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed: ${r.error?.message ?? ''}\n${r.stderr}`);
  return r;
}

const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
  license: string;
  engines: { node: string };
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
};

/** Every file path an `exports` map points at, whatever the nesting of conditions. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

describe('published package', () => {
  // --ignore-scripts: `npm test` has just built; a prepack build here would rewrite dist/ under running tests.
  const packed = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']).stdout) as {
    files: { path: string }[];
  }[];
  const files = new Set(packed[0]!.files.map((f) => f.path));

  it('ships a LICENSE whose text is the license package.json names', () => {
    assert.equal(pkg.license, 'Apache-2.0');
    assert.ok(files.has('LICENSE'), 'LICENSE is not in the package');
    const text = readFileSync(repoPath('LICENSE'), 'utf8');
    assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(text, /END OF TERMS AND CONDITIONS/); // the full text, not a notice
  });

  it('contains every exports target', () => {
    const all = Object.values(pkg.exports).flatMap(targets);
    assert.ok(all.length > 20);
    const missing = all.map((t) => posix.normalize(t)).filter((t) => !files.has(t));
    assert.deepEqual(missing, [], 'exports targets missing from the package');
  });

  it('has sourcemaps whose sources all resolve to files inside the package', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 0, 'no sourcemaps shipped');
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(repoPath(map), 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      for (const source of sources) {
        const inPackage = posix.normalize(posix.join(posix.dirname(map), sourceRoot ?? '', source));
        if (!files.has(inPackage)) unresolved.push(`${map} → ${source}`);
      }
    }
    assert.deepEqual(unresolved.slice(0, 10), [], `${unresolved.length} sourcemap sources outside the package`);
  });

  it('builds before packing, so a pack from a clean checkout is never empty', () => {
    assert.match(pkg.scripts.prepack ?? '', /\bnpm run build\b/);
  });
});

describe('install', () => {
  it(`npm ci prints no EBADENGINE warning on this Node (${process.version}; package.json engines ${pkg.engines.node})`, () => {
    const r = npm(['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund']);
    const warned = [...`${r.stdout}${r.stderr}`.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(warned, [], 'packages whose engines exclude this Node');
  });
});
