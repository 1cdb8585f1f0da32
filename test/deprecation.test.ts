// The deprecation policy: nothing warns on import; deprecated APIs warn when called (one per code);
// under --throw-deprecation calling throws and importing does not; TSMCP_NO_DEPRECATION silences.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ENTRIES = [
  'tsmcp',
  'tsmcp/server',
  'tsmcp/client',
  'tsmcp/stdio',
  'tsmcp/memory',
  'tsmcp/http',
  'tsmcp/node',
  'tsmcp/express',
  'tsmcp/hono',
  'tsmcp/fastify',
  'tsmcp/sse',
  'tsmcp/websocket',
  'tsmcp/tasks',
  'tsmcp/experimental',
];

const STDIO_SERVER =
  "const { McpServer } = await import('tsmcp/server'); const { StdioServerTransport } = await import('tsmcp/stdio'); const s = new McpServer({ name: 's', version: '1' }); s.registerTool('t', {}, () => ({ content: [] })); const conn = await s.connect(new StdioServerTransport()); conn.onclose = () => process.exit(0);";

function run(code: string, flags: string[] = [], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

describe('deprecation policy', () => {
  it('importing every public entry point warns about nothing, even under --throw-deprecation', () => {
    const r = run(`for (const e of ${JSON.stringify(ENTRIES)}) await import(e); console.log('ok');`, [
      '--throw-deprecation',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ok');
    assert.equal(r.stderr, '');
  });

  it('calling a deprecated API throws under --throw-deprecation, with its code', () => {
    const sse = run(
      `const { createSseHandler } = await import('tsmcp/sse'); const { McpServer } = await import('tsmcp/server'); createSseHandler(new McpServer({ name: 'x', version: '1' }));`,
      ['--throw-deprecation'],
    );
    assert.notEqual(sse.status, 0);
    assert.match(sse.stderr, /TSMCP_DEP003/);
    const ws = run(
      `const { WebSocketClientTransport } = await import('tsmcp/websocket'); new WebSocketClientTransport('ws://127.0.0.1:1');`,
      ['--throw-deprecation'],
    );
    assert.notEqual(ws.status, 0);
    assert.match(ws.stderr, /TSMCP_DEP001/);
  });

  it('warns once per code however often it is called', () => {
    const r = run(
      `const { WebSocketClientTransport } = await import('tsmcp/websocket'); for (let i = 0; i < 3; i++) new WebSocketClientTransport('ws://127.0.0.1:1'); await new Promise((r) => setTimeout(r, 20));`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.match(/\\[TSMCP_DEP001\\]|TSMCP_DEP001/g)?.length, 1, r.stderr);
  });

  it('TSMCP_NO_DEPRECATION silences one code, even under --throw-deprecation', () => {
    const r = run(
      `const { createSseHandler } = await import('tsmcp/sse'); const { McpServer } = await import('tsmcp/server'); createSseHandler(new McpServer({ name: 'x', version: '1' })); console.log('ok');`,
      ['--throw-deprecation'],
      { TSMCP_NO_DEPRECATION: 'TSMCP_DEP003' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ok');
    const other = run(
      `const { WebSocketClientTransport } = await import('tsmcp/websocket'); new WebSocketClientTransport('ws://127.0.0.1:1');`,
      ['--throw-deprecation'],
      { TSMCP_NO_DEPRECATION: 'TSMCP_DEP003' },
    );
    assert.notEqual(other.status, 0, 'other codes still throw');
  });

  it('full modern and legacy round trips (stdio, HTTP) emit no warning', () => {
    const code = `
      const { Client } = await import('tsmcp/client');
      const { StdioClientTransport } = await import('tsmcp/stdio');
      const { StreamableHttpClientTransport } = await import('tsmcp/http');
      const { createNodeHandler } = await import('tsmcp/node');
      const { McpServer } = await import('tsmcp/server');
      const { createServer } = await import('node:http');
      const server = new McpServer({ name: 's', version: '1' }, { tasks: true });
      server.registerTool('t', {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
      server.registerTool('job', { task: 'always' }, () => ({ content: [{ type: 'text', text: 'done' }] }));
      const http = createServer(createNodeHandler(server));
      await new Promise((r) => http.listen(0, '127.0.0.1', r));
      const url = 'http://127.0.0.1:' + http.address().port + '/mcp';
      for (const version of ['2026-07-28', '2025-11-25', '2025-03-26']) {
        const c = new Client({ name: 'c', version: '1' }, { version, tasks: true });
        await c.connect(new StreamableHttpClientTransport(url));
        await c.callTool('t');
        if (version === '2026-07-28') await c.callTool('job');
        await c.close();
      }
      for (const version of ['auto', 'legacy']) {
        const c = new Client({ name: 'c', version: '1' }, { version });
        await c.connect(new StdioClientTransport({ command: process.execPath, args: ['--input-type=module', '-e', ${JSON.stringify(STDIO_SERVER)}], cwd: process.cwd() }));
        await c.callTool('t');
        await c.close();
      }
      http.closeAllConnections(); http.close();
      console.log('ok');`;
    const r = run(code, ['--throw-deprecation']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ok');
    assert.equal(r.stderr, '');
  });
});
