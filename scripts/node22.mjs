// The Node 22 test tools: a Node >= 22.19 binary and the locked packages of tools/node22 (conformance suite,
// Inspector), installed into a cache folder outside the repository. The project supports Node 20; these
// tools do not, so they get their own Node instead of EBADENGINE warnings in the root install.
//
//   node scripts/node22.mjs      installs (if needed) and prints the node binary and the tools folder
//
// Environment: TSMCP_TOOLS_CACHE (cache folder; default $XDG_CACHE_HOME/tsmcp or ~/.cache/tsmcp),
// TSMCP_NODE22 (a Node >= 22.19 binary to use instead of downloading one).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The Node release fetched from the npm registry (packages node-<os>-<arch>) when the running one is older. */
export const NODE_VERSION = '22.23.3';
/** The oldest Node the tools accept: the Inspector's `engines` (the conformance CLI needs fs.globSync, 22.0). */
const MIN_NODE = [22, 19];
const INSTALL_TIMEOUT_MS = 600_000;
const READY = '.tsmcp-ready';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsSource = join(repo, 'tools', 'node22');

function log(message) {
  process.stderr.write(`node22: ${message}\n`);
}

export function cacheRoot() {
  if (process.env.TSMCP_TOOLS_CACHE) return process.env.TSMCP_TOOLS_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsmcp');
}

function newEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
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
  throw new Error('node22: cannot find npm-cli.js (run through npm, or put npm on PATH)');
}

/** Run npm under `node` (its PATH first, so anything npm spawns uses the same node), bounded in time. */
export function npm(node, args, cwd) {
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
      `node22: npm ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout}${r.stderr}`.slice(-3000)}`,
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

let nodeCache;
/** A Node >= 22.19 binary: TSMCP_NODE22, the running node if new enough, else the pinned one from the cache. */
export function node22() {
  if (nodeCache) return nodeCache;
  if (process.env.TSMCP_NODE22) return (nodeCache = process.env.TSMCP_NODE22);
  if (newEnough(process.versions.node)) return (nodeCache = process.execPath);
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!os || !arch)
    throw new Error(
      `node22: no prebuilt Node package for ${process.platform}-${process.arch}; set TSMCP_NODE22 to a Node >= 22.19 binary`,
    );
  const pkg = `node-${os}-${arch}`;
  const dir = join(cacheRoot(), `node-${NODE_VERSION}-${os}-${arch}`);
  installOnce(dir, (tmp) => {
    log(`installing ${pkg}@${NODE_VERSION} into ${dir}`);
    writeFileSync(join(tmp, 'package.json'), '{ "private": true }\n');
    npm(process.execPath, ['install', '--prefix', tmp, '--no-save', `${pkg}@${NODE_VERSION}`], tmp);
  });
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (v.stdout?.trim() !== `v${NODE_VERSION}`)
    throw new Error(`node22: ${bin} does not run (${v.error?.message ?? v.stderr})`);
  return (nodeCache = bin);
}

/** The folder holding node_modules of tools/node22, installed with `npm ci` under Node 22 (so no engine warnings). */
export function toolsDir() {
  const node = node22();
  const lock = readFileSync(join(toolsSource, 'package-lock.json'));
  const key = createHash('sha256')
    .update(lock)
    .update(readFileSync(join(toolsSource, 'package.json')))
    .update(`${process.platform}-${process.arch}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot(), `tools-${key}`);
  installOnce(dir, (tmp) => {
    log(`installing tools/node22 (locked) into ${dir}`);
    copyFileSync(join(toolsSource, 'package.json'), join(tmp, 'package.json'));
    copyFileSync(join(toolsSource, 'package-lock.json'), join(tmp, 'package-lock.json'));
    npm(node, ['ci', '--prefix', tmp], tmp);
  });
  return dir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    const dir = toolsDir();
    process.stdout.write(`node ${node22()}\ntools ${dir}\n`);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
