// Test helper: the documentation convention (docs/README.md's "Conventions"): every TypeScript block of a
// page is a whole file under examples/docs/<page>/, named by a marker on the line before its fence.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** One ```ts / ```typescript block of a page, with the example file its marker names (if any). */
export interface DocBlock {
  /** The page, relative to the repository root (`docs/tools.md`). */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The example file the marker names (`examples/docs/tools/basic.ts`), undefined without a marker. */
  example: string | undefined;
  /** The block's text: every line between the fences, each ending with a newline. */
  code: string;
}

const MARKER = /^<!-- example: (\S+) -->$/;
const TS_FENCE = /^```(ts|typescript)\s*$/;

/** The TypeScript blocks of one page's markdown (other fences are skipped whole). */
export function blocksOf(page: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== fence[1]) end++;
    if (TS_FENCE.test(lines[i]!)) {
      const body = lines.slice(i + 1, end);
      blocks.push({
        page,
        line: i + 1,
        example: MARKER.exec(lines[i - 1] ?? '')?.[1],
        code: body.map((l) => `${l}\n`).join(''),
      });
    }
    i = end;
  }
  return blocks;
}

/** The example folder of a page: docs/migration/x.md → examples/docs/migration/x/. */
export function exampleFolderOf(page: string): string {
  return `examples/${page.replace(/\.md$/, '')}/`;
}

/**
 * What is wrong with one block, as messages that name the page and line and say what to do (empty when
 * the block follows the convention). `read` returns a repository file's text, or undefined when absent.
 */
export function checkBlock(block: DocBlock, read: (path: string) => string | undefined): string[] {
  const at = `${block.page}:${block.line}`;
  const folder = exampleFolderOf(block.page);
  if (!block.example)
    return [
      `${at}: a TypeScript block needs the line "<!-- example: ${folder}<name>.ts -->" right before its fence, naming the file that holds the same code`,
    ];
  if (!block.example.startsWith(folder) || !block.example.endsWith('.ts') || block.example.includes('..'))
    return [`${at}: the example ${block.example} must be a .ts file under ${folder}`];
  const file = read(block.example);
  if (file === undefined)
    return [`${at}: the example ${block.example} does not exist: create it with the block's code`];
  if (file === block.code) return [];
  const a = block.code.split('\n');
  const b = file.split('\n');
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const show = (s: string | undefined) => (s === undefined ? '(end of text)' : JSON.stringify(s));
  return [
    `${at}: the block differs from ${block.example} at its line ${n + 1}: the page has ${show(a[n])}, the file has ${show(b[n])} (copy the file into the block, or the block into the file)`,
  ];
}

/** Every import specifier of a module's source (static, dynamic with a literal, side-effect, re-export). */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm)) found.push(m[2]!);
  return found;
}

/**
 * What is wrong with one specifier of an example file: tsmcp by its package name and a public entry,
 * relative imports only inside examples/docs/ (never into src/).
 */
export function checkSpecifier(file: string, spec: string, entries: ReadonlySet<string>): string | undefined {
  if (spec.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    return target.startsWith('examples/docs/')
      ? undefined
      : `${file}: imports "${spec}", a path outside examples/docs/: import tsmcp by its package name ('tsmcp', 'tsmcp/server'…)`;
  }
  if (spec.startsWith('/')) return `${file}: imports the absolute path "${spec}": import by package name`;
  if (spec === 'tsmcp' || spec.startsWith('tsmcp/'))
    return entries.has(spec.replace(/^tsmcp/, '.'))
      ? undefined
      : `${file}: imports "${spec}", which package.json exports does not list: use one of ${[...entries].filter((e) => e !== './package.json').join(', ')}`;
  return undefined; // node: builtins and other packages (zod, valibot…)
}

/** Files under a folder of the repository, relative to the root, sorted; [] when the folder is absent. */
export function filesUnder(root: string, folder: string, suffix: string): string[] {
  if (!existsSync(join(root, folder))) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (path.endsWith(suffix)) out.push(path);
    }
  };
  walk(folder);
  return out.sort();
}

/** A reader of repository files for checkBlock. */
export function reader(root: string): (path: string) => string | undefined {
  return (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined);
}
