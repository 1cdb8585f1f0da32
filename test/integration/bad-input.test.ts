// Bad input over stdio: each gets a spec-shaped error (or is ignored where the spec says so), nothing
// leaks, and the server process keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { distPath, spawnRaw, type RawServer } from '../helpers/raw-stdio.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bad-input', version: '1' },
};
const req = (id: unknown, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method,
  params: { _meta: META, ...params },
});

describe('bad input over stdio', () => {
  let s: RawServer;
  // Everything the server answers, however bad the input, must still be valid MCP.
  const recorder = new WireRecorder({ only: 'server->client' });
  before(() => {
    s = spawnRaw(distPath('examples/conformance/server.js'), ['--stdio'], {}, recorder);
  });
  after(async () => {
    await s.close();
    assert.ok(recorder.count >= 25, `only ${recorder.count} server messages checked`);
    recorder.assertClean();
  });

  const stillServing = async () => {
    s.send(req('alive', 'tools/call', { name: 'test_simple_text' }));
    const r = await s.next();
    assert.equal(r.id, 'alive');
    assert.equal((r.result as { resultType: string }).resultType, 'complete');
    assert.equal(s.child.exitCode, null);
  };

  it('answers malformed JSON with -32700 and no id', async () => {
    s.send('{"jsonrpc": "2.0", "id": 1, "method": ');
    const r = await s.next();
    assert.equal((r.error as { code: number }).code, -32700);
    assert.ok(!('id' in r));
    await stillServing();
  });

  it('answers a wrong jsonrpc version with -32600 keeping the id', async () => {
    s.send({ jsonrpc: '1.0', id: 7, method: 'tools/list' });
    const r = await s.next();
    assert.equal(r.id, 7);
    assert.equal((r.error as { code: number }).code, -32600);
    await stillServing();
  });

  it('answers non-objects and empty batches with -32600', async () => {
    for (const v of ['42', '"text"', 'null', '[]']) {
      s.send(v);
      const r = await s.next();
      assert.equal((r.error as { code: number }).code, -32600, v);
    }
    await stillServing();
  });

  it('refuses batches outside 2025-03-26', async () => {
    s.send([req(1, 'tools/list'), req(2, 'tools/list')]);
    const r = await s.next();
    assert.equal((r.error as { code: number }).code, -32600);
    await stillServing();
  });

  it('answers an unknown method with -32601 and removed methods too', async () => {
    for (const m of ['no/such/method', 'ping', 'logging/setLevel', 'resources/subscribe']) {
      s.send(
        req(
          `m-${m}`,
          m,
          m === 'logging/setLevel'
            ? { level: 'info' }
            : m === 'resources/subscribe'
              ? { uri: 'test://static-text' }
              : {},
        ),
      );
      const r = await s.next();
      assert.equal(r.id, `m-${m}`);
      assert.equal((r.error as { code: number }).code, -32601, m);
    }
    await stillServing();
  });

  it('answers bad params with -32602 naming the field', async () => {
    s.send(req(11, 'tools/call', { name: 3 }));
    const r = await s.next();
    assert.equal((r.error as { code: number; message: string }).code, -32602);
    assert.match((r.error as { message: string }).message, /name/);
    await stillServing();
  });

  it('answers missing _meta fields with -32602', async () => {
    s.send({ jsonrpc: '2.0', id: 12, method: 'tools/list', params: {} });
    const a = await s.next();
    assert.equal((a.error as { code: number }).code, -32602);
    s.send({
      jsonrpc: '2.0',
      id: 13,
      method: 'tools/list',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } },
    });
    const b = await s.next();
    assert.equal((b.error as { code: number; message: string }).code, -32602);
    assert.match((b.error as { message: string }).message, /clientCapabilities/);
    await stillServing();
  });

  it('answers an unknown protocol version with -32022 listing what is supported', async () => {
    s.send({
      jsonrpc: '2.0',
      id: 14,
      method: 'server/discover',
      params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '1999-01-01' } },
    });
    const r = await s.next();
    const e = r.error as { code: number; data: { supported: string[]; requested: string } };
    assert.equal(e.code, -32022);
    assert.equal(e.data.requested, '1999-01-01');
    assert.ok(e.data.supported.includes('2026-07-28'));
    await stillServing();
  });

  it('rejects a second request with an id still in flight, and finishes the first', async () => {
    s.recording = false; // two answers to one id are the point here; a one-request-per-id recorder can't follow
    s.send(req('dup', 'tools/call', { name: 'test_tool_with_progress' }));
    s.send(req('dup', 'tools/list'));
    const first = await s.next();
    const second = await s.next();
    const [err, ok] = first.error ? [first, second] : [second, first];
    assert.equal(err.id, 'dup');
    assert.equal((err.error as { code: number }).code, -32600);
    assert.equal(ok.id, 'dup');
    assert.ok(ok.result);
    s.recording = true;
    await stillServing();
  });

  it('ignores a response to nothing', async () => {
    s.send({ jsonrpc: '2.0', id: 999, result: {} });
    s.send({ jsonrpc: '2.0', id: 998, error: { code: -32603, message: 'stray' } });
    assert.deepEqual(await s.drain(200), []);
    await stillServing();
  });

  it('survives an oversize line with -32600 and keeps the next message', async () => {
    s.send(`{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"x":"${'a'.repeat(5 * 1024 * 1024)}"}}`);
    const r = await s.next(15000);
    assert.equal((r.error as { code: number }).code, -32600);
    assert.match((r.error as { message: string }).message, /limit/);
    await stillServing();
  });

  it('does not leak internals of a failing handler', async () => {
    s.send(req(21, 'tools/call', { name: 'test_sampling', arguments: { prompt: 'x' } }));
    const r = await s.next();
    // No sampling capability declared: the spec's -32021 with the capability it needs, nothing more.
    assert.equal((r.error as { code: number }).code, -32021);
    assert.deepEqual((r.error as { data: unknown }).data, { requiredCapabilities: { sampling: {} } });
    await stillServing();
  });

  it('answers initialize with an unknown version by offering its newest legacy version', async () => {
    s.send({
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    const r = await s.next();
    assert.equal((r.result as { protocolVersion: string }).protocolVersion, '2025-11-25');
    await stillServing();
  });

  it('ignores cancellation of unknown requests', async () => {
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'never-sent' } });
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} });
    assert.deepEqual(await s.drain(150), []);
    await stillServing();
  });
});
