// `tsmcp serve`: the docs' example module (examples/docs/cli/server.ts, built) served over stdio and on
// 127.0.0.1 with --http, driven by the built CLI itself; a module without a server, and TypeScript on a
// Node that cannot load it, are refused with a message that says what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoPath } from '../helpers/repo.js';
import { distPath } from '../helpers/raw-stdio.js';
import { CLI, killAll, start, tsmcp, tsmcpJson, until } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsmcp-serve-'));
after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});
const EXAMPLE = distPath('examples/docs/cli/server.js');
type Json = Record<string, any>;

describe('tsmcp serve', () => {
  it('serves a module’s default McpServer over stdio', async () => {
    const s = ['--', process.execPath, CLI, 'serve', EXAMPLE];
    const l = await tsmcpJson<Json>('list', 'tools', ...s);
    assert.deepEqual(
      l.tools.map((t: Json) => t.name),
      ['greet', 'order'],
    );
    const r = await tsmcpJson<Json>('--version=legacy', 'call', 'greet', 'name=Ada', ...s);
    assert.equal(r.content[0].text, 'Hello, Ada!');
  });

  it('serves it on 127.0.0.1 with --http, both eras, until SIGINT', async () => {
    const server = start(['serve', EXAMPLE, '--http', '0']);
    await until(() => /on http:\/\/127\.0\.0\.1:\d+\/mcp/.test(server.output()), 'serve to listen');
    const url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(server.output())![1]!;
    for (const [version, era] of [
      ['auto', 'modern'],
      ['legacy', 'legacy'],
    ]) {
      assert.equal((await tsmcpJson<Json>(`--version=${version}`, 'discover', url)).era, era);
      const r = await tsmcpJson<Json>(`--version=${version}`, 'call', url, 'greet', '{"name":"Bo"}');
      assert.equal(r.content[0].text, 'Hello, Bo!');
    }
    // The loopback defaults: a foreign Host is refused.
    const foreign = await new Promise<number | undefined>((resolve, reject) =>
      request(url, { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end('{}'),
    );
    assert.equal(foreign, 403);
    server.child.kill('SIGINT');
    assert.equal((await server.done).code, 0);
  });

  it('refuses a module that exports no server, naming what it exports', async () => {
    const file = join(dir, 'nothing.mjs');
    writeFileSync(file, 'export const answer = 42;\n');
    const r = await tsmcp('serve', file);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /must export an McpServer as its default export or as "server"; it exports answer/);
  });

  it('says how to run TypeScript when this Node cannot load it', { skip: canStripTypes() }, async () => {
    const r = await tsmcp('serve', repoPath('examples', 'docs', 'cli', 'server.ts'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot load TypeScript .*Compile it to \.js.*--experimental-strip-types/s);
  });

  it('a missing module is a usage error (exit 2)', async () => {
    const r = await tsmcp('serve');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /serve needs one module/);
  });
});

function canStripTypes(): boolean {
  return Boolean((process as { features?: { typescript?: unknown } }).features?.typescript);
}
