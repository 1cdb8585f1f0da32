// The runtime matrix: pinned Node 20, 22 and 24, Bun, Deno and workerd (the Workers runtime), each from its npm
// package (the package ships the official binary, through a platform package), installed once into the tool
// cache (scripts/tool-cache.mjs) and run by test/runtimes/. A Node whose major is the running one's is the
// running one. Install scripts never run: the binary is taken from the platform package directly.
//
//   node scripts/runtimes.mjs [name...]   installs (if needed) and prints { name: { bin, version } | { error } }
//                                         as JSON; exits 1 when any named runtime could not be installed
//
// Environment: TSMCP_TOOLS_CACHE (see tool-cache.mjs); TSMCP_RUNTIME_<NAME> (e.g. TSMCP_RUNTIME_BUN) names a
// binary to use instead of installing one.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_VERSION as NODE22_VERSION } from './node22.mjs';
import { installPackages, nodeBinary } from './tool-cache.mjs';

/** The pins. Moving one: edit it here, run `npm test` (the first run installs it). */
export const VERSIONS = {
  node20: '20.20.2',
  node22: NODE22_VERSION,
  node24: '24.22.3',
  bun: '1.4.4',
  deno: '2.9.6',
  workerd: '1.20261117.1',
};
export const RUNTIMES = Object.keys(VERSIONS);

const os = process.platform;
const x64 = process.arch === 'x64';
const arm64 = process.arch === 'arm64';

/** Linux x64 CPUs without AVX2 need Bun's "baseline" build (what the bun package's own install script checks). */
function hasAvx2() {
  try {
    return /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return true;
  }
}

/** Platform package and the binary's path inside it, per runtime (only platforms the packages publish). */
function platformBinary(name) {
  if (name === 'bun') {
    const cpu = x64 ? 'x64' : arm64 ? 'aarch64' : undefined;
    if ((os === 'linux' || os === 'darwin') && cpu) {
      const baseline = os === 'linux' && x64 && !hasAvx2() ? '-baseline' : '';
      return { pkg: `@oven/bun-${os}-${cpu}${baseline}`, path: 'bin/bun' };
    }
  }
  if (name === 'deno') {
    if (os === 'linux' && (x64 || arm64)) return { pkg: `@deno/linux-${process.arch}-glibc`, path: 'deno' };
    if (os === 'darwin' && (x64 || arm64)) return { pkg: `@deno/darwin-${process.arch}`, path: 'deno' };
  }
  if (name === 'workerd') {
    const cpu = x64 ? '64' : arm64 ? 'arm64' : undefined;
    if ((os === 'linux' || os === 'darwin') && cpu)
      return { pkg: `@cloudflare/workerd-${os}-${cpu}`, path: 'bin/workerd' };
  }
  throw new Error(`${name}: no ${name} package for ${os}-${process.arch}; set TSMCP_RUNTIME_${name.toUpperCase()}`);
}

/** `bin --version`'s first line, or an error saying the binary does not run here. */
function versionOf(name, bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const line = r.stdout?.split('\n')[0]?.trim();
  if (r.status !== 0 || !line)
    throw new Error(
      `${name}: ${bin} does not run on this machine (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}): ${r.stderr?.slice(-500) ?? ''}`,
    );
  return line;
}

/** Installs (once) and returns one runtime's binary. */
export function runtime(name) {
  const version = VERSIONS[name];
  if (!version) throw new Error(`unknown runtime ${name}: expected one of ${RUNTIMES.join(', ')}`);
  const override = process.env[`TSMCP_RUNTIME_${name.toUpperCase()}`];
  if (override) return { bin: override, version: versionOf(name, override) };
  if (name.startsWith('node')) {
    if (process.versions.node.split('.')[0] === name.slice(4))
      return { bin: process.execPath, version: process.version };
    return { bin: nodeBinary(version, name), version: `v${version}` };
  }
  const { pkg, path } = platformBinary(name);
  // The runtime's own package (bun, deno, workerd) pulls in its platform package as an optional dependency;
  // the platform package is named too, so a baseline build (not in bun's optional list) comes along.
  const dir = installPackages(
    `${name}-${version}-${os}-${process.arch}`,
    [`${name}@${version}`, `${pkg}@${version}`],
    name,
  );
  const bin = join(dir, 'node_modules', pkg, path);
  return { bin, version: versionOf(name, bin) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : RUNTIMES;
  const out = {};
  let failed = false;
  for (const name of names) {
    try {
      out[name] = runtime(name);
    } catch (e) {
      out[name] = { error: e.message };
      failed = true;
    }
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exit(failed ? 1 : 0);
}
