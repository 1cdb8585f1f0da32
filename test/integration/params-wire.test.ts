// Param rules nothing else guards, over raw wires to the everything server (stdio and Streamable HTTP):
// an invalid `_meta` log level is -32602 (2026-07-28), and so is an empty-string cursor, on both eras.
// An empty cursor is a valid cursor *value* (CHECKLIST A11) but tsmcp's server never issues it, and
// cursors are opaque tokens the server minted, so `""` is one it cannot resume from: -32602, not page 1.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { Client } from '../../src/entries/client.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { tapHandler } from '../helpers/http-tap.js';
import { distPath, spawnRaw, type RawServer } from '../helpers/raw-stdio.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'params-wire', version: '1' },
};
const modern = (
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
) => ({
  jsonrpc: '2.0',
  id,
  method,
  params: { ...params, _meta: { ...META, ...meta } },
});
const BAD_LEVELS: unknown[] = ['verbose', 'INFO', 3, null, {}];
const LISTS = ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'];
type Err = { code: number; message: string };

describe('over stdio (raw lines)', () => {
  let s: RawServer;
  const recorder = new WireRecorder({ only: 'server->client' });
  before(() => {
    s = spawnRaw(distPath('examples/conformance/server.js'), ['--stdio'], {}, recorder);
  });
  after(async () => {
    await s.close();
    recorder.assertClean();
  });

  it('2026-07-28: an invalid _meta logLevel is -32602 naming the key', async () => {
    let id = 100;
    for (const level of BAD_LEVELS) {
      s.send(modern(++id, 'tools/call', { name: 'test_logging_tool' }, { 'io.modelcontextprotocol/logLevel': level }));
      const r = await s.next();
      assert.equal(r.id, id);
      const e = r.error as Err;
      assert.equal(e?.code, -32602, JSON.stringify(level));
      assert.match(e.message, /logLevel/);
    }
    // Not a blanket refusal: a valid level is served (its log lines come first, then the result).
    s.send(modern(200, 'tools/call', { name: 'test_logging_tool' }, { 'io.modelcontextprotocol/logLevel': 'debug' }));
    let r = await s.next();
    for (let i = 0; i < 10 && r.id !== 200; i++) r = await s.next();
    assert.equal((r.result as { resultType: string }).resultType, 'complete');
  });

  it('2026-07-28: cursor "" is -32602 on every paginated list', async () => {
    let id = 300;
    for (const method of LISTS) {
      s.send(modern(++id, method, { cursor: '' }));
      const r = await s.next();
      assert.equal(r.id, id);
      assert.equal((r.error as Err)?.code, -32602, method);
    }
  });
});

describe('legacy session over stdio: cursor ""', () => {
  for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) {
    it(`${version}: -32602 on every paginated list`, async () => {
      const recorder = new WireRecorder();
      const s = spawnRaw(distPath('examples/conformance/server.js'), ['--stdio'], {}, recorder);
      try {
        s.send({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'p', version: '1' } },
        });
        assert.equal(((await s.next()).result as { protocolVersion: string }).protocolVersion, version);
        s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        let id = 0;
        for (const method of LISTS) {
          s.send({ jsonrpc: '2.0', id: ++id, method, params: { cursor: '' } });
          const r = await s.next();
          assert.equal(r.id, id);
          assert.equal((r.error as Err)?.code, -32602, method);
        }
      } finally {
        await s.close();
      }
      recorder.assertClean();
    });
  }
});

describe('over Streamable HTTP (raw POSTs)', () => {
  const recorder = new WireRecorder({ only: 'server->client' });
  const http = createServer(tapHandler(createNodeHandler(createEverythingServer()), () => recorder));
  let url = '';
  before(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
    recorder.assertClean();
  });
  const post = async (body: ReturnType<typeof modern>, name?: string) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': body.method,
    };
    if (name) headers['mcp-name'] = name;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    return {
      status: res.status,
      msg: JSON.parse(await res.text()) as { id: number; error?: Err; result?: { resultType: string } },
    };
  };

  it('an invalid _meta logLevel is -32602 (HTTP 200: _meta is there, just wrong)', async () => {
    let id = 0;
    for (const level of BAD_LEVELS) {
      const { status, msg } = await post(
        modern(++id, 'tools/call', { name: 'test_simple_text' }, { 'io.modelcontextprotocol/logLevel': level }),
        'test_simple_text',
      );
      assert.equal(msg.id, id);
      assert.equal(msg.error?.code, -32602, JSON.stringify(level));
      assert.equal(status, 200);
    }
    const ok = await post(
      modern(++id, 'tools/call', { name: 'test_simple_text' }, { 'io.modelcontextprotocol/logLevel': 'info' }),
      'test_simple_text',
    );
    assert.equal(ok.msg.result?.resultType, 'complete');
  });

  it('cursor "" is -32602 on every paginated list', async () => {
    let id = 50;
    for (const method of LISTS) {
      const { msg } = await post(modern(++id, method, { cursor: '' }));
      assert.equal(msg.error?.code, -32602, method);
    }
  });
});

describe('client side: nextCursor "" is a cursor, not the end of the list', () => {
  it('listAllTools asks for the next page with cursor "" and stops only when nextCursor is absent', async () => {
    const [ct, st] = createLinkedPair();
    const cursors: unknown[] = [];
    st.onmessage = (v) => {
      const m = v as { id?: number; method?: string; params?: { cursor?: unknown } };
      if (m.id === undefined) return;
      const tool = (name: string) => ({ name, inputSchema: { type: 'object' } });
      let result: object;
      if (m.method === 'server/discover') result = { supportedVersions: ['2026-07-28'], capabilities: { tools: {} } };
      else {
        cursors.push(m.params?.cursor);
        result = m.params?.cursor === undefined ? { tools: [tool('a')], nextCursor: '' } : { tools: [tool('b')] };
      }
      void st.send({
        jsonrpc: '2.0',
        id: m.id,
        result: { resultType: 'complete', ttlMs: 0, cacheScope: 'private', ...result },
      } as never);
    };
    await st.start();
    const recorder = new WireRecorder();
    const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
    await client.connect(recordTransport(ct, recorder, 'client'));
    const tools = await client.listAllTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['a', 'b'],
    );
    assert.deepEqual(cursors, [undefined, '']);
    await client.close();
    recorder.assertClean();
  });
});
