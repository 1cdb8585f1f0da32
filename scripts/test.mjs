// Runs every compiled *.test.js under dist/test with node's test runner (Node 20 has no glob support,
// and its directory mode would also run fixtures and helpers as tests).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const files = [];
const walk = (dir) => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.test.js')) files.push(p);
  }
};
walk(join(root, 'dist', 'test'));
// Install the Node 22 tools, the runtime matrix (Node 20/22/24, Bun, Deno, workerd) and TypeDoc (for
// test/api-docs.test.ts) once up front, so the test files that use them do not race to (see tools/README.md).
// Failures are reported by those test files.
for (const [script, ...args] of [['node22.mjs'], ['runtimes.mjs'], ['api-docs.mjs', '--install']])
  spawnSync(process.execPath, [join(root, 'scripts', script), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 1_500_000,
  });
files.sort();
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=120000', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
