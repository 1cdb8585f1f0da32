// The layer rule of ARCHITECTURE.md, checked: every import under src/ (type-only ones and `export … from`
// included) points to its own layer or a lower one, and no two folders import each other, even indirectly.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Lowest first. A unit is a folder of src/ (transports/* and extensions/* count one folder each) or a
 * file at its root. Within a layer, units may import one another only where `siblings` says so.
 */
const LAYERS: { name: string; units: string[]; siblings: boolean }[] = [
  { name: 'leaf', units: ['deprecation.ts'], siblings: false },
  // schema/ and uri-template/ are runtime-neutral helpers on top of protocol's errors, for both sides
  // (schema: the server's input checks and the client's output checks; templates: matching and expansion).
  { name: 'protocol', units: ['protocol', 'schema', 'uri-template'], siblings: true },
  { name: 'engine', units: ['engine'], siblings: false },
  { name: 'peers', units: ['server', 'client'], siblings: false },
  // What several server fronts share (Host/Origin checks, ServerLike); it may build on server/.
  { name: 'front helpers', units: ['transports/shared'], siblings: false },
  // auth/ (tsmcp/auth) sits beside them: transports take its pieces through interfaces they declare.
  { name: 'edges', units: ['transports/*', 'extensions/*', 'middleware', 'auth'], siblings: false },
  // entries/ holds the public entry files of tsmcp/server and tsmcp/client: the core bundled with the
  // reference tasks extension as option sugar (McpServer({ tasks }), Client({ tasks })).
  // stores/: shared backends (Redis) for the seams the edges declare (TaskStore, EventStore, the event bus).
  { name: 'stores', units: ['stores/*'], siblings: false },
  { name: 'entry points', units: ['index.ts', 'experimental', 'entries'], siblings: false },
  // On top of the public entries, importing each other never: cli/ is the `tsmcp` command (package.json
  // "bin", built on the entries, transports and auth); testing/ (tsmcp/testing) drives a server with the
  // public Client of entries/ over the memory transport.
  { name: 'tools', units: ['cli', 'testing'], siblings: false },
];

/** Edges the layers alone would allow but the design does not. */
const FORBIDDEN: { from: string; to: string; why: string }[] = [
  {
    from: 'transports/*',
    to: 'client',
    why: 'the Client takes any Transport; a transport only implements the contract',
  },
];

/** Known exceptions: each names its edge and why it still exists. An entry no longer needed fails. */
const ALLOWED: { from: string; to: string; why: string }[] = [];

// ---- parsing ----

const STATIC =
  /^[ \t]*(?:import|export)(?:\s+type)?\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*(['"])([^'"\n]+)\1/gm;
const BARE = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The module specifiers a TypeScript source imports or re-exports (static, type-only, side-effect, dynamic). */
export function specifiers(source: string): string[] {
  return [STATIC, BARE, DYNAMIC].flatMap((re) => [...source.matchAll(re)].map((m) => m[2]!));
}

/** The unit of a path relative to src/ (forward slashes). */
export function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts.length === 1) return parts[0]!;
  return (parts[0] === 'transports' || parts[0] === 'extensions' || parts[0] === 'stores') && parts.length > 2
    ? `${parts[0]}/${parts[1]}`
    : parts[0]!;
}

const matches = (pattern: string, unit: string): boolean =>
  pattern === unit || (pattern.endsWith('/*') && unit.startsWith(pattern.slice(0, -1)));

function layerOf(unit: string): number {
  const exact = LAYERS.findIndex((l) => l.units.includes(unit));
  return exact >= 0 ? exact : LAYERS.findIndex((l) => l.units.some((p) => matches(p, unit)));
}

// ---- checking ----

export interface Edge {
  from: string; // unit
  to: string;
  files: string[]; // "src/a/b.ts → ../c/d.js"
}

/** Every violation of the rule in a unit graph, as readable lines (empty when the graph is fine). */
export function check(edges: Edge[], allowed = ALLOWED): string[] {
  const out: string[] = [];
  const key = (from: string, to: string) => `${from} → ${to}`;
  const present = new Set(edges.map((e) => key(e.from, e.to)));
  const isAllowed = (e: Edge) => allowed.some((a) => a.from === e.from && a.to === e.to);
  const show = (e: Edge) => `  ${key(e.from, e.to)}\n${e.files.map((f) => `      ${f}`).join('\n')}`;
  for (const a of allowed)
    if (!present.has(key(a.from, a.to)))
      out.push(`allow-list entry ${key(a.from, a.to)} is no longer needed: remove it`);
  const unknown = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((u) => layerOf(u) < 0).sort();
  for (const u of unknown) {
    const at = edges.filter((e) => e.from === u || e.to === u);
    out.push(
      `no layer for ${u}: add it to LAYERS in test/architecture.test.ts and to ARCHITECTURE.md\n${at.map(show).join('\n')}`,
    );
  }
  for (const e of edges) {
    const [lf, lt] = [layerOf(e.from), layerOf(e.to)];
    if (lf < 0 || lt < 0) continue;
    if (isAllowed(e)) continue;
    const rule = FORBIDDEN.find((f) => matches(f.from, e.from) && matches(f.to, e.to));
    if (lt > lf) out.push(`points up (${LAYERS[lf]!.name} → ${LAYERS[lt]!.name}):\n${show(e)}`);
    else if (lt === lf && !LAYERS[lf]!.siblings)
      out.push(`sideways inside "${LAYERS[lf]!.name}" (siblings do not import each other):\n${show(e)}`);
    else if (rule) out.push(`forbidden (${rule.why}):\n${show(e)}`);
  }
  for (const scc of cycles(edges.filter((e) => !isAllowed(e)))) {
    const inside = edges.filter((e) => scc.includes(e.from) && scc.includes(e.to) && !isAllowed(e));
    out.push(`cycle between ${scc.join(', ')}:\n${inside.map(show).join('\n')}`);
  }
  return out;
}

/** Strongly connected groups of more than one unit (Tarjan). */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.from !== e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1) out.push(group.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

// ---- the real tree ----

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..'); // dist/test → the repository
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The unit graph of src/, and relative imports that resolve to no file (a parser or path mistake). */
function graph(): { edges: Edge[]; unresolved: string[] } {
  const byKey = new Map<string, Edge>();
  const unresolved: string[] = [];
  for (const file of sources(SRC)) {
    const from = relative(SRC, file).split('\\').join('/');
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue; // node: built-ins and packages
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      const to = relative(SRC, target).split('\\').join('/');
      if (!existsSync(target) || to.startsWith('..')) {
        unresolved.push(`src/${from} → ${spec}`);
        continue;
      }
      const [uf, ut] = [unitOf(from), unitOf(to)];
      if (uf === ut) continue;
      const edge = byKey.get(`${uf} ${ut}`) ?? { from: uf, to: ut, files: [] };
      edge.files.push(`src/${from} → ${spec}`);
      byKey.set(`${uf} ${ut}`, edge);
    }
  }
  return { edges: [...byKey.values()], unresolved };
}

describe('architecture: layers only point down', () => {
  it('every import under src/ follows the layer order, with no cycle between folders', () => {
    const { edges, unresolved } = graph();
    assert.deepEqual(unresolved, [], 'relative imports that resolve to no file under src/');
    assert.ok(edges.length > 10, 'the parser found the cross-folder imports');
    const problems = check(edges);
    assert.equal(problems.length, 0, `\nLayer rule broken (ARCHITECTURE.md, "Layers"):\n${problems.join('\n')}\n`);
  });

  it('the parser sees every import form', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      'import {\n  c,\n  type D,\n} from "./c.js";',
      "import e, { f } from './e.js';",
      "import * as g from './g.js';",
      "import './side-effect.js';",
      "export { h } from './h.js';",
      "export type * from './i.js';",
      "export * as j from './j.js';",
      "type K = typeof import('./k.js');",
      "// import { no } from './comment.js';",
      " * import { no } from './jsdoc.js';",
      "const s = 'not an import from \\'./string.js\\'';",
    ].join('\n');
    const got = specifiers(src).sort();
    assert.deepEqual(got, [
      './a.js',
      './b.js',
      './c.js',
      './e.js',
      './g.js',
      './h.js',
      './i.js',
      './j.js',
      './k.js',
      './side-effect.js',
    ]);
  });

  it('reports an upward edge, a sideways edge, a forbidden edge, a cycle and a stale allow-list entry', () => {
    const e = (from: string, to: string): Edge => ({ from, to, files: [`src/${from}/x.ts → ../${to}/y.js`] });
    const problems = check(
      [
        e('protocol', 'engine'),
        e('server', 'client'),
        e('transports/stdio', 'client'),
        e('schema', 'uri-template'),
        e('uri-template', 'schema'),
      ],
      [{ from: 'engine', to: 'server', why: 'test' }],
    );
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0]!, /allow-list entry engine → server is no longer needed/);
    assert.match(
      problems[1]!,
      /points up \(protocol → engine\):\n {2}protocol → engine\n {6}src\/protocol\/x\.ts → \.\.\/engine\/y\.js/,
    );
    assert.match(problems[2]!, /sideways inside "peers"/);
    assert.match(problems[3]!, /forbidden \(the Client takes any Transport/);
    assert.match(problems[4]!, /cycle between schema, uri-template:/);
    assert.deepEqual(
      check([e('server', 'engine'), e('transports/http', 'transports/shared'), e('extensions/tasks', 'server')], []),
      [],
    );
    assert.match(check([e('transports', 'protocol')], [])[0]!, /no layer for transports/);
  });
});
