// The revision-feature table (src/protocol/features.ts) checked against the vendored official schemas, so
// it cannot drift from the spec; and a source scan that keeps literal revision checks out of src/ outside
// src/protocol/ (every such decision goes through `supports`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { FEATURES, supports, type Feature } from '../../src/protocol/features.js';
import {
  MODERN_VERSIONS,
  SUPPORTED_PROTOCOL_VERSIONS,
  isModernVersion,
  type ProtocolVersion,
} from '../../src/protocol/versions.js';
import { repoPath } from '../helpers/repo.js';
import { specDir } from '../helpers/wire-schema.js';

type Def = { properties?: { [k: string]: Def }; [k: string]: unknown };
const defsCache = new Map<string, { [name: string]: Def }>();
function defs(name: string): { [name: string]: Def } {
  let d = defsCache.get(name);
  if (!d) {
    type Schema = { definitions?: { [n: string]: Def }; $defs?: { [n: string]: Def } };
    const schema = JSON.parse(readFileSync(join(specDir(), name, 'schema.json'), 'utf8')) as Schema;
    d = schema.definitions ?? schema.$defs ?? {};
    defsCache.set(name, d);
  }
  return d;
}
/** The property `path` (dot-separated, through `properties`) of definition `type` in revision `rev`'s schema. */
function has(rev: string, type: string, path?: string): boolean {
  let def: Def | undefined = defs(rev)[type];
  for (const key of path ? path.split('.') : []) def = def?.properties?.[key];
  return def !== undefined;
}

/** How each feature shows in a revision's schema. Features the schema cannot show are listed below instead. */
const IN_SCHEMA: { [F in Feature]?: (rev: ProtocolVersion) => boolean } = {
  batching: (r) => has(r, 'JSONRPCBatchRequest'),
  audioContent: (r) => has(r, 'AudioContent'),
  toolAnnotations: (r) => has(r, 'ToolAnnotations') && has(r, 'Tool', 'annotations'),
  completions: (r) => has(r, 'ServerCapabilities', 'completions'),
  titles: (r) => has(r, 'Implementation', 'title') && has(r, 'Tool', 'title'),
  resourceLinks: (r) => has(r, 'ResourceLink'),
  structuredOutput: (r) => has(r, 'Tool', 'outputSchema') && has(r, 'CallToolResult', 'structuredContent'),
  elicitation: (r) => has(r, 'ElicitRequest') && has(r, 'ClientCapabilities', 'elicitation'),
  'elicitation.url': (r) => has(r, 'ElicitRequestURLParams') && has(r, 'ClientCapabilities', 'elicitation.url'),
  'elicitation.multiSelect': (r) => has(r, 'UntitledMultiSelectEnumSchema') && has(r, 'TitledMultiSelectEnumSchema'),
  elicitationId: (r) => has(r, 'ElicitRequestURLParams', 'elicitationId'),
  elicitationComplete: (r) => has(r, 'ElicitationCompleteNotification'),
  'sampling.tools': (r) => has(r, 'ClientCapabilities', 'sampling.tools'),
  'sampling.context': (r) => has(r, 'ClientCapabilities', 'sampling.context'),
  icons: (r) => has(r, 'Implementation', 'icons') && has(r, 'Implementation', 'websiteUrl') && has(r, 'Tool', 'icons'),
  experimentalTasks: (r) => has(r, 'ClientCapabilities', 'tasks') && has(r, 'TaskMetadata'),
  // Core methods in 2025-11-25; the official tasks extension's (spec/ext-tasks) on the 2026-07-28 wire.
  tasks: (r) => has(r, 'GetTaskRequest') || (isModernVersion(r) && has('ext-tasks', 'GetTaskRequest')),
};

/** Features no schema shows (transport or prose rules): the revisions that have them, newest first, and the source. */
const IN_PROSE: { [F in Feature]?: { revisions: ProtocolVersion[]; source: string } } = {
  protocolVersionHeader: {
    revisions: ['2026-07-28', '2025-11-25', '2025-06-18'],
    source: 'transports: MCP-Protocol-Version header (2025-06-18 changelog, PR #548)',
  },
  jsonSchema2020Default: { revisions: ['2026-07-28', '2025-11-25'], source: 'basic/index: JSON Schema, SEP-1613' },
  ssePolling: {
    revisions: ['2025-11-25'],
    source: 'transports: SSE polling (SEP-1699); 2026-07-28 has no sessions or Last-Event-ID',
  },
};

describe('revision features', () => {
  it('every feature is checked against the schemas or listed with its prose source, not both', () => {
    for (const f of Object.keys(FEATURES) as Feature[]) {
      assert.ok(f in IN_SCHEMA !== f in IN_PROSE, `${f}: add it to exactly one of IN_SCHEMA and IN_PROSE`);
    }
  });

  for (const [feature, inSchema] of Object.entries(IN_SCHEMA) as [Feature, (rev: ProtocolVersion) => boolean][]) {
    it(`${feature} is supported exactly in the revisions whose schema has it`, () => {
      const table = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => supports(v, feature));
      const schema = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => inSchema(v));
      assert.deepEqual(table, schema);
      assert.ok(table.length > 0, `${feature} exists in no revision`);
    });
  }

  for (const [feature, { revisions }] of Object.entries(IN_PROSE) as [Feature, { revisions: ProtocolVersion[] }][]) {
    it(`${feature} is supported exactly in ${revisions.join(', ')}`, () => {
      assert.deepEqual(
        SUPPORTED_PROTOCOL_VERSIONS.filter((v) => supports(v, feature)),
        revisions,
      );
    });
  }

  it('places a revision string it does not know by its date', () => {
    assert.equal(supports('2025-07-01', 'structuredOutput'), true);
    assert.equal(supports('2025-06-17', 'structuredOutput'), false);
    assert.equal(supports('2099-01-01', 'icons'), true);
    assert.equal(supports('2099-01-01', 'batching'), false);
    assert.equal(supports(MODERN_VERSIONS[0], 'elicitationComplete'), false);
  });
});

/**
 * Literal revision strings allowed in src/ outside src/protocol/, each with why. Every revision decision
 * goes through `supports` (src/protocol/features.ts) or the era helpers of src/protocol/versions.ts.
 */
const ALLOWED_LITERALS: { file: string; literal: string; why: string }[] = [
  '2024-11-05',
  '2025-03-26',
  '2025-06-18',
  '2025-11-25',
  '2026-07-28',
].map((literal) => ({
  file: 'src/testing/schema-set.ts',
  literal,
  why: "tsmcp/testing's loader map names one schema module per revision with a literal import() (bundlers split on it); the test kit only picks a schema, it decides nothing by revision",
}));

/** A string literal that is a whole revision ('2025-11-25', "2025-11-25" or `2025-11-25`). */
const REVISION_LITERAL = /(['"`])20\d\d-\d\d-\d\d\1/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('revision literals outside src/protocol/', () => {
  it('no source file outside src/protocol/ compares against a literal revision', () => {
    const src = repoPath('src');
    const found: string[] = [];
    for (const file of sourceFiles(src)) {
      const rel = relative(src, file).split(sep).join('/');
      if (rel.startsWith('protocol/')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trimStart();
          // Comments may name revisions.
          if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
          for (const [literal] of line.matchAll(REVISION_LITERAL)) {
            const allowed = ALLOWED_LITERALS.some((a) => a.file === `src/${rel}` && a.literal === literal.slice(1, -1));
            if (allowed) continue;
            found.push(`src/${rel}:${i + 1}: ${code}`);
          }
        });
    }
    assert.deepEqual(found, [], 'use supports(version, feature) from src/protocol/features.ts, not a literal');
  });
});
