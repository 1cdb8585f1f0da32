// What tsmcp/testing ships: schema copies that match spec/ (a schema refresh cannot drift silently), and an
// import graph without Node built-ins, so the entry loads on Node, Bun, Deno and Workers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoPath } from '../helpers/repo.js';

interface Generator {
  SCHEMAS: string[];
  compact(schema: unknown): unknown;
  moduleText(name: string, schema: unknown): string;
}
const generator = () => import(pathToFileURL(repoPath('scripts', 'testing-schemas.mjs')).href) as Promise<Generator>;

describe('tsmcp/testing schemas', () => {
  it('ships one module per spec/ schema, equal to it without prose (else: npm run testing:schemas)', async () => {
    const { SCHEMAS, compact, moduleText } = await generator();
    assert.deepEqual(SCHEMAS, ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28', 'ext-tasks']);
    for (const name of SCHEMAS) {
      const official = JSON.parse(readFileSync(repoPath('spec', name, 'schema.json'), 'utf8')) as unknown;
      const shipped = (await import(pathToFileURL(repoPath('dist', 'src', 'testing', 'schemas', `${name}.js`)).href))
        .default as unknown;
      assert.deepEqual(shipped, compact(official), `src/testing/schemas/${name}.ts differs from spec/${name}`);
      const source = readFileSync(repoPath('src', 'testing', 'schemas', `${name}.ts`), 'utf8');
      assert.equal(source, moduleText(name, official), `src/testing/schemas/${name}.ts is not the generator's output`);
    }
  });

  it('drops only prose: every type, $ref and constraint of the official schema stays', async () => {
    const { compact } = await generator();
    const official = JSON.parse(readFileSync(repoPath('spec', '2026-07-28', 'schema.json'), 'utf8')) as unknown;
    const strip = (v: unknown, inSchemaMap = false): unknown => {
      if (Array.isArray(v)) return v.map((x) => strip(x));
      if (!v || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.entries(v)
          .filter(
            ([k, x]) => inSchemaMap || !['description', '$comment', 'examples'].includes(k) || typeof x === 'object',
          )
          .map(([k, x]) => [k, strip(x, !inSchemaMap && ['properties', '$defs', 'definitions'].includes(k))]),
      );
    };
    assert.deepEqual(compact(official), strip(official));
    // A property named `description` (Tool.description) is kept: it is data, not prose.
    const tool = (compact(official) as { $defs: { Tool: { properties: Record<string, unknown> } } }).$defs.Tool;
    assert.ok('description' in tool.properties);
  });
});

describe('tsmcp/testing import graph', () => {
  it('reaches no Node built-in from the entry, static or dynamic imports', () => {
    const entry = fileURLToPath(import.meta.resolve('tsmcp/testing'));
    const seen = new Set<string>();
    const builtins: string[] = [];
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      const specifiers = [
        ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1]!);
      for (const s of specifiers) {
        if (s.startsWith('.')) walk(join(dirname(file), s));
        else if (isBuiltin(s)) builtins.push(`${relative(repoPath(), file)} → ${s}`);
        else packages.add(s);
      }
    };
    walk(entry);
    assert.deepEqual(builtins, [], 'Node built-ins reachable from tsmcp/testing');
    assert.ok(seen.size > 20, `only ${seen.size} files walked`);
    // Each schema is its own module, loaded with import() (six of them), and the only package is the validator.
    assert.equal([...seen].filter((f) => f.includes(`${join('testing', 'schemas')}`)).length, 6);
    const deps = Object.keys(
      (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { dependencies: object }).dependencies,
    );
    for (const p of packages) assert.ok(deps.includes(p), `${p} is not a runtime dependency`);
  });
});
