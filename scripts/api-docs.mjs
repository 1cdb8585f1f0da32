// npm run docs:api: the API reference from the TSDoc of every public entry point (package.json exports),
// built by TypeDoc into docs-api/ (git-ignored). Warnings are errors (typedoc.json), so a broken {@link} or a
// public type that no entry exports fails the build. TypeDoc needs the JavaScript TypeScript API, which the
// root's native TypeScript 7 does not ship, so tools/typedoc (locked) is installed on first use into the
// tools cache, like tools/node22 (tools/README.md).
//
//   node scripts/api-docs.mjs [--out DIR]   build (other arguments go to typedoc)
//   node scripts/api-docs.mjs --install     only install tools/typedoc (scripts/test.mjs does, up front)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, installOnce, npm } from './tool-cache.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(repo, 'tools', 'typedoc');
const RUN_TIMEOUT_MS = 300_000;

/** The folder whose node_modules holds tools/typedoc's locked packages, installed once per lockfile. */
export function typedocDir() {
  const key = createHash('sha256')
    .update(readFileSync(join(source, 'package-lock.json')))
    .update(readFileSync(join(source, 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot(), `typedoc-${key}`);
  installOnce(dir, (tmp) => {
    process.stderr.write(`api-docs: installing tools/typedoc (locked) into ${dir}\n`);
    copyFileSync(join(source, 'package.json'), join(tmp, 'package.json'));
    copyFileSync(join(source, 'package-lock.json'), join(tmp, 'package-lock.json'));
    npm(process.execPath, ['ci', '--prefix', tmp], tmp);
  });
  return dir;
}

/** The source file of each public entry: ./dist/src/x.js in package.json exports → src/x.ts. */
export function entryPoints() {
  const { exports } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  return Object.values(exports)
    .filter((e) => typeof e === 'object' && typeof e.default === 'string')
    .map((e) => e.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
}

const args = process.argv.slice(2);
const bin = join(typedocDir(), 'node_modules', 'typedoc', 'bin', 'typedoc');
if (args[0] === '--install') process.exit(0);
const r = spawnSync(
  process.execPath,
  [bin, '--options', 'typedoc.json', ...entryPoints().flatMap((e) => ['--entryPoints', e]), ...args],
  { cwd: repo, stdio: 'inherit', timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' },
);
if (r.status !== 0)
  process.stderr.write(
    `api-docs: typedoc failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}): fix the warnings above\n`,
  );
process.exit(r.status ?? 1);
