// The Node 22 test tools: a Node >= 22.19 binary and the locked packages of tools/node22 (conformance suite,
// Inspector), installed into a cache folder outside the repository. The project supports Node 20; these
// tools do not, so they get their own Node instead of EBADENGINE warnings in the root install.
//
//   node scripts/node22.mjs      installs (if needed) and prints the node binary and the tools folder
//
// Environment: TSMCP_TOOLS_CACHE (cache folder; default $XDG_CACHE_HOME/tsmcp or ~/.cache/tsmcp),
// TSMCP_NODE22 (a Node >= 22.19 binary to use instead of downloading one).
import { copyFileSync, readFileSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheRoot, installOnce, nodeBinary, npm } from './tool-cache.mjs';

export { cacheRoot };

/** The Node release fetched from the npm registry (packages node-<os>-<arch>) when the running one is older. */
export const NODE_VERSION = '22.23.3';
/** The oldest Node the tools accept: the Inspector's `engines` (the conformance CLI needs fs.globSync, 22.0). */
const MIN_NODE = [22, 19];

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsSource = join(repo, 'tools', 'node22');

function newEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

let nodeCache;
/** A Node >= 22.19 binary: TSMCP_NODE22, the running node if new enough, else the pinned one from the cache. */
export function node22() {
  if (nodeCache) return nodeCache;
  if (process.env.TSMCP_NODE22) return (nodeCache = process.env.TSMCP_NODE22);
  if (newEnough(process.versions.node)) return (nodeCache = process.execPath);
  try {
    return (nodeCache = nodeBinary(NODE_VERSION, 'node22'));
  } catch (e) {
    throw new Error(`${e.message}; set TSMCP_NODE22 to a Node >= 22.19 binary`);
  }
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
    process.stderr.write(`node22: installing tools/node22 (locked) into ${dir}\n`);
    copyFileSync(join(toolsSource, 'package.json'), join(tmp, 'package.json'));
    copyFileSync(join(toolsSource, 'package-lock.json'), join(tmp, 'package-lock.json'));
    npm(node, ['ci', '--prefix', tmp], tmp, 'node22');
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
