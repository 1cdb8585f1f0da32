// Documentation that runs: every TypeScript block of docs/ is a file under examples/docs/ (same text, the
// marker line before the fence names it), no example is an orphan, examples import tsmcp by its package
// name, every example runs to exit 0 by itself, and docs/README.md lists every page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  blocksOf,
  checkBlock,
  checkSpecifier,
  type DocBlock,
  filesUnder,
  importSpecifiers,
  reader,
} from './helpers/docs.js';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();
const read = reader(root);
const pages = filesUnder(root, 'docs', '.md');
const blocks: DocBlock[] = pages.flatMap((page) => blocksOf(page, read(page)!));
const examples = filesUnder(root, 'examples/docs', '.ts');
const entries = new Set(
  Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: object }).exports),
);

describe('the doc convention checker', () => {
  const page = [
    '# Page',
    '<!-- example: examples/docs/page/a.ts -->',
    '```ts',
    "import { McpServer } from 'tsmcp/server';",
    'const x = 1;',
    '```',
    '```sh',
    '```ts',
    '```',
    '```typescript',
    'let y;',
    '```',
  ].join('\n');
  const found = blocksOf('docs/page.md', page);

  it('finds ts and typescript blocks with their markers, and skips other fences whole', () => {
    assert.deepEqual(
      found.map((b) => [b.line, b.example]),
      [
        [3, 'examples/docs/page/a.ts'],
        [10, undefined],
      ],
    );
    assert.equal(found[0]!.code, "import { McpServer } from 'tsmcp/server';\nconst x = 1;\n");
  });

  it('names the page, the line and the first differing line', () => {
    const files: Record<string, string> = {
      'examples/docs/page/a.ts': "import { McpServer } from 'tsmcp/server';\nconst x = 2;\n",
    };
    assert.deepEqual(
      checkBlock(found[0]!, (p) => files[p]),
      [
        'docs/page.md:3: the block differs from examples/docs/page/a.ts at its line 2: the page has "const x = 1;", the file has "const x = 2;" (copy the file into the block, or the block into the file)',
      ],
    );
    assert.match(checkBlock(found[1]!, () => undefined)[0]!, /^docs\/page\.md:10: a TypeScript block needs the line/);
    assert.deepEqual(
      checkBlock(found[0]!, () => found[0]!.code),
      [],
    );
    assert.match(checkBlock(found[0]!, () => undefined)[0]!, /does not exist/);
    const elsewhere = { ...found[0]!, example: 'examples/docs/other/a.ts' };
    assert.match(checkBlock(elsewhere, () => '')[0]!, /must be a \.ts file under examples\/docs\/page\//);
  });

  it('refuses relative imports out of examples/docs and tsmcp subpaths that are not exported', () => {
    const src =
      "import a from '../../../src/index.js';\nimport { b } from 'tsmcp/nope';\nexport * from './c.js';\nawait import('tsmcp');\nimport 'node:fs';\n";
    assert.deepEqual(importSpecifiers(src), ['../../../src/index.js', 'tsmcp/nope', './c.js', 'tsmcp', 'node:fs']);
    const f = 'examples/docs/page/a.ts';
    assert.match(
      checkSpecifier(f, '../../../src/index.js', entries)!,
      /outside examples\/docs\/: import tsmcp by its package name/,
    );
    assert.match(checkSpecifier(f, 'tsmcp/nope', entries)!, /which package.json exports does not list/);
    assert.equal(checkSpecifier(f, './c.js', entries), undefined);
    assert.equal(checkSpecifier(f, 'tsmcp/server', entries), undefined);
    assert.equal(checkSpecifier(f, 'zod', entries), undefined);
  });
});

describe('docs/', () => {
  it('has pages with examples', () => {
    assert.ok(pages.length > 5 && examples.length > 5, `${pages.length} pages, ${examples.length} examples`);
  });

  it('every TypeScript block is its example file, exactly', () => {
    assert.deepEqual(
      blocks.flatMap((b) => checkBlock(b, read)),
      [],
    );
  });

  it('every file under examples/docs/ is shown by a page (no orphans)', () => {
    const shown = new Set(blocks.map((b) => b.example));
    assert.deepEqual(
      examples.filter((e) => !shown.has(e)).map((e) => `${e}: no page shows it: add it to its page or delete it`),
      [],
    );
  });

  it('examples import tsmcp by its package name, never a path into src/', () => {
    assert.deepEqual(
      examples.flatMap((e) => importSpecifiers(read(e)!).flatMap((s) => checkSpecifier(e, s, entries) ?? [])),
      [],
    );
  });

  it('docs/README.md links every page', () => {
    const index = read('docs/README.md') ?? '';
    const linked = new Set([...index.matchAll(/\]\(([^)#]+\.md)(?:#[^)]*)?\)/g)].map((m) => `docs/${m[1]}`));
    assert.deepEqual(
      pages
        .filter((p) => p !== 'docs/README.md' && !linked.has(p))
        .map((p) => `${p} is not linked from docs/README.md`),
      [],
    );
  });
});

// Each example is a program a reader copies: it must run by itself (no input, loopback only) and exit 0.
describe('examples/docs run', { concurrency: 2 }, () => {
  for (const example of examples) {
    it(example, async () => {
      const js = join(root, 'dist', example.replace(/\.ts$/, '.js'));
      try {
        await promisify(execFile)(process.execPath, [js], { cwd: root, timeout: 30_000, killSignal: 'SIGKILL' });
      } catch (e) {
        const { code, signal, stdout, stderr } = e as {
          code?: unknown;
          signal?: unknown;
          stdout?: string;
          stderr?: string;
        };
        assert.fail(
          `${example} should exit 0 by itself; it ended with ${signal ? `signal ${String(signal)} (timeout 30 s?)` : `code ${String(code)}`}\nstdout: ${stdout?.slice(-2000)}\nstderr: ${stderr?.slice(-2000)}`,
        );
      }
    });
  }
});
