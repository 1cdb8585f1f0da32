// Test helper: the repository root and the Node 22 test tools (scripts/node22.mjs), found from this file,
// never from the working directory, so tests run the same from any cwd and in a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let rootCache: string | undefined;
/** The repository root: the nearest folder above this file whose package.json is named tsmcp. */
export function repoRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tsmcp') return (rootCache = dir);
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error('cannot find the tsmcp repository root (no package.json named "tsmcp" above this file)');
    dir = up;
  }
}

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}

export interface Node22Tools {
  /** A Node >= 22.19 binary. */
  node: string;
  /** The folder whose node_modules holds the locked packages of tools/node22. */
  dir: string;
}

let toolsCache: Node22Tools | undefined;
/**
 * Installs (once, into a cache outside the repository) and returns the Node 22 tools. Bounded: the script
 * limits each npm run to 10 minutes; this call to 25.
 */
export function node22Tools(): Node22Tools {
  if (toolsCache) return toolsCache;
  const r = spawnSync(process.execPath, [repoPath('scripts', 'node22.mjs')], { encoding: 'utf8', timeout: 1_500_000 });
  const node = /^node (.+)$/m.exec(r.stdout ?? '')?.[1];
  const dir = /^tools (.+)$/m.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !node || !dir)
    throw new Error(`scripts/node22.mjs failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  return (toolsCache = { node, dir });
}
