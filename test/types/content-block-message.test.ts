// The compiler's message for a wrong content block in an async tool handler: TypeScript reports an async
// return at the function (so an `@ts-expect-error` cannot pin it, see content-block.ts); what must hold is
// that the message ends at the block's `type`, not at "Property 'structuredContent' is missing".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';

describe('a content block with a wrong type (type-level)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-types-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an async handler: the error names the block type, not structuredContent', () => {
    const entry = JSON.stringify(distPath('src/entries/server.js'));
    const file = join(dir, 'handler.ts');
    writeFileSync(
      file,
      [
        `import { McpServer } from ${entry};`,
        `const server = new McpServer({ name: 't', version: '1' });`,
        `server.registerTool('t', {}, async () => ({`,
        `  content: [{ type: 'txt', text: 'a typo in the block type' }],`,
        `}));`,
        '',
      ].join('\n'),
    );
    const tsc = distPath('../node_modules/typescript/bin/tsc');
    const r = spawnSync(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', file],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    const out = `${r.stdout}${r.stderr}`;
    assert.notEqual(r.status, 0, `the typo compiled:\n${out}`);
    assert.match(out, /"txt"/, out);
    assert.doesNotMatch(out, /structuredContent' is missing/, out);
  });
});
