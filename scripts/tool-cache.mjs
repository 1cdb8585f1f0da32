// The cache that scripts/node22.mjs and scripts/runtimes.mjs install into: npm packages that ship binaries
// (Node, Bun, Deno, workerd) or test tools, each in its own folder outside the repository, atomically and
// bounded in time, so concurrent test processes can share it and a fresh clone installs what it needs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** One npm run may take this long (the slowest is a 100 MB runtime binary on a slow link). */
export const INSTALL_TIMEOUT_MS = 600_000;
const READY = '.tsmcp-ready';

/** $TSMCP_TOOLS_CACHE, else $XDG_CACHE_HOME/tsmcp, else ~/.cache/tsmcp. */
export function cacheRoot() {
  if (process.env.TSMCP_TOOLS_CACHE) return process.env.TSMCP_TOOLS_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsmcp');
}

/** The npm CLI script, run with an explicit node (npm itself ships no binary we could pick). */
function npmCli() {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.js$/.test(fromNpm) && existsSync(fromNpm)) return fromNpm;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm');
    if (!dir || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    const cli = real.endsWith('npm-cli.js') ? real : join(dirname(real), 'npm-cli.js');
    if (existsSync(cli)) return cli;
  }
  throw new Error('cannot find npm-cli.js (run through npm, or put npm on PATH)');
}

/**
 * Run npm under `node` (its PATH first, so anything npm spawns uses the same node), bounded in time. Install
 * scripts never run: a package's binary is taken from its platform package by the caller instead.
 */
export function npm(node, args, cwd, who = 'npm') {
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const r = spawnSync(node, [npmCli(), ...args, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0)
    throw new Error(
      `${who}: npm ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout}${r.stderr}`.slice(-3000)}`,
    );
}

/**
 * Install into a private temporary folder, then rename it into place: concurrent test processes may race,
 * one rename wins and the others drop their copy. A folder without the READY marker is never used.
 */
export function installOnce(final, fill) {
  if (existsSync(join(final, READY))) return;
  mkdirSync(dirname(final), { recursive: true });
  const tmp = `${final}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(tmp);
    fill(tmp);
    writeFileSync(join(tmp, READY), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, final); // only complete folders are renamed, so `final` is absent or complete
    } catch (e) {
      if (!existsSync(join(final, READY))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `packages` (exact `name@version` specs) installed with `npm install --prefix` into `<cache>/<folder>`, once;
 * returns the folder holding their node_modules.
 */
export function installPackages(folder, packages, who) {
  const dir = join(cacheRoot(), folder);
  installOnce(dir, (tmp) => {
    process.stderr.write(`${who}: installing ${packages.join(' ')} into ${dir}\n`);
    writeFileSync(join(tmp, 'package.json'), '{ "private": true }\n');
    npm(process.execPath, ['install', '--prefix', tmp, '--no-save', ...packages], tmp, who);
  });
  return dir;
}

/** `os-arch` in the spelling of the node-<os>-<arch> packages, or undefined where none is published. */
export function nodePlatform() {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  return os && arch ? `${os}-${arch}` : undefined;
}

/** The official Node binary of `version` from the npm package node-<os>-<arch>, installed into the cache once. */
export function nodeBinary(version, who = `node ${version}`) {
  const platform = nodePlatform();
  if (!platform) throw new Error(`${who}: no prebuilt Node package for ${process.platform}-${process.arch}`);
  const pkg = `node-${platform}`;
  const dir = installPackages(`node-${version}-${platform}`, [`${pkg}@${version}`], who);
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (v.stdout?.trim() !== `v${version}`)
    throw new Error(`${who}: ${bin} does not run (${v.error?.message ?? v.stderr})`);
  return bin;
}
