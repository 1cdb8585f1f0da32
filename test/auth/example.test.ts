// examples/auth runs (as `npm run example:auth` does) and docs/authorization.md shows only code that the
// example files hold (examples/docs/authorization, one file per block), so the page's code is type-checked.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('examples/auth', () => {
  it('prints what the handlers saw, the step-up and the refused scope', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'dist/examples/auth/index.js')], {
      timeout: 60_000, // a hung example fails the test instead of the run
    });
    assert.deepEqual(stdout.trimEnd().split('\n'), [
      'token request: scope "notes:read"',
      'read_notes: principal=notes-bot client=notes-bot scopes=notes:read',
      'token request: scope "notes:read notes:write"',
      'add_note: principal=notes-bot client=notes-bot scopes=notes:read,notes:write',
      'token request: scope "notes:read notes:write notes:admin", refused (notes:admin)',
      'purge_notes: failed, TSMCP_AUTH_TOKEN (invalid_scope)',
    ]);
  });
});

describe('docs/authorization.md', () => {
  const page = read('docs/authorization.md');
  const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  // Each block is also a whole runnable file under examples/docs/authorization (test/docs.test.ts).
  const dir = 'examples/docs/authorization';
  const examples = ['examples/auth/index.ts', ...readdirSync(join(root, dir)).map((f) => `${dir}/${f}`)]
    .map(read)
    .join('\n');
  const known = new Set(examples.split('\n').map((l) => l.trim()));

  it('has code blocks whose every line is in examples/auth or examples/docs/authorization (imports aside)', () => {
    assert.ok(blocks.length >= 10, `${blocks.length} blocks`);
    const missing: string[] = [];
    for (const block of blocks)
      for (const line of block.split('\n').map((l) => l.trim()))
        if (line && !line.startsWith('import ') && !known.has(line)) missing.push(line);
    assert.deepEqual(missing, []);
  });

  it('imports only names its entry points export', async () => {
    const pkg = JSON.parse(read('package.json')) as { exports: { [k: string]: { default?: string } } };
    const missing: string[] = [];
    for (const block of blocks)
      for (const m of block.matchAll(/^import \{([^}]*)\} from '(tsmcp[^']*)';$/gm)) {
        const entry = pkg.exports[m[2]!.replace(/^tsmcp/, '.')]?.default;
        assert.ok(entry, `${m[2]} is an entry point`);
        const mod = (await import(pathToFileURL(join(root, entry)).href)) as object;
        for (const name of m[1]!.split(',').map((n) => n.trim()))
          if (name && !name.startsWith('type ') && !(name in mod)) missing.push(`${name} from ${m[2]}`);
      }
    assert.deepEqual(missing, []);
  });
});

describe('docs/authorization.md errors table', () => {
  it('names every TSMCP_AUTH_* code that src/ can throw', async () => {
    const codes = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(path);
        else if (path.endsWith('.ts')) for (const m of read(path).matchAll(/'(TSMCP_AUTH_[A-Z_]+)'/g)) codes.add(m[1]!);
      }
    };
    walk('src');
    assert.ok(codes.size > 20, `found the codes (${codes.size})`);
    const page = read('docs/authorization.md');
    assert.deepEqual(
      [...codes].filter((c) => !page.includes(c)),
      [],
    );
  });
});
