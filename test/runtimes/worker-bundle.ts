// Test helper: lays out a Workers module and everything it imports as a workerd config, no bundler needed.
// workerd resolves every import specifier, bare ones too, as a path relative to the importing module, so each
// module is copied into a staging folder with its package imports rewritten to relative paths.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { repoPath } from '../helpers/repo.js';

const IMPORT = /(\b(?:import|export)\s[^'"]*?\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\2/g;

/** The ESM entry file of an installed package, from its `exports` (or `module`/`main`). */
function packageEntry(spec: string): { dir: string; file: string } {
  const dir = realpathSync(repoPath('node_modules', spec));
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
    module?: string;
    main?: string;
  };
  const dot = pj.exports?.['.'] as { import?: string | { default?: string } } | string | undefined;
  const imp = typeof dot === 'object' ? dot.import : dot;
  const file = (typeof imp === 'object' ? imp.default : imp) ?? pj.module ?? pj.main ?? 'index.js';
  return { dir, file: join(dir, file) };
}

/**
 * Stage `entry` (a compiled file under dist/) and its import graph in `out`, and write `out/config.capnp`
 * serving it on 127.0.0.1:`port` with nodejs_compat. Module names are paths under dist/ (packages under
 * node_modules/). Returns the config's path.
 */
export function stageWorker(entry: string, out: string, port: number): string {
  const dist = repoPath('dist');
  const modules = new Map<string, string>(); // module name → staged source
  const visit = (name: string, file: string): void => {
    if (modules.has(name)) return;
    modules.set(name, '');
    const source = readFileSync(file, 'utf8').replace(IMPORT, (all, head: string, q: string, spec: string) => {
      if (spec.startsWith('node:')) return all; // nodejs_compat provides these
      let target: string;
      if (spec.startsWith('.')) {
        target = posix.join(posix.dirname(name), spec);
        visit(target, join(dirname(file), spec));
      } else {
        const pkg = packageEntry(spec);
        target = posix.join('node_modules', spec, posix.relative(pkg.dir, pkg.file));
        visit(target, pkg.file);
      }
      let rel = posix.relative(posix.dirname(name), target);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `${head}${q}${rel}${q}`;
    });
    modules.set(name, source);
  };
  visit(posix.relative(dist, entry), entry);
  const list: string[] = [];
  for (const [name, source] of modules) {
    const path = join(out, 'modules', name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    list.push(`(name = ${JSON.stringify(name)}, esModule = embed ${JSON.stringify(`modules/${name}`)})`);
  }
  const config = join(out, 'config.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${list.join(',\n    ')}
  ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
);
`,
  );
  return config;
}
