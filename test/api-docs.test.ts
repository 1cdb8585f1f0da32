// npm run docs:api builds the API reference from the TSDoc of every public entry without a warning
// (typedoc.json treats warnings as errors: a broken {@link}, a public type that no entry exports).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoPath } from './helpers/repo.js';

describe('npm run docs:api', () => {
  const out = mkdtempSync(join(tmpdir(), 'tsmcp-api-docs-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('treats warnings as errors', () => {
    const options = JSON.parse(readFileSync(repoPath('typedoc.json'), 'utf8')) as { treatWarningsAsErrors?: boolean };
    assert.equal(options.treatWarningsAsErrors, true);
  });

  it('builds the reference of every package.json export without a warning', () => {
    // Bounded. scripts/test.mjs installs tools/typedoc first; run alone, the first run installs it here (npm ci).
    const r = spawnSync(process.execPath, [repoPath('scripts', 'api-docs.mjs'), '--out', out], {
      encoding: 'utf8',
      timeout: 900_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(r.status, 0, `typedoc failed:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /\[warning\]/);
    assert.ok(existsSync(join(out, 'index.html')), 'index.html written');
    // Each entry is a module named as users import it (the `@module` tag of its file): tsmcp/auth/node → tsmcp_auth_node.html.
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { exports: { [k: string]: unknown } };
    const pages = new Set(readdirSync(join(out, 'modules')));
    const missing = Object.entries(pkg.exports)
      .filter(([, e]) => typeof e === 'object')
      .map(([k]) => `${k.replace(/^\./, 'tsmcp').replaceAll('/', '_')}.html`)
      .filter((page) => !pages.has(page));
    assert.deepEqual(missing, [], 'a module page per package.json export');
  });
});
