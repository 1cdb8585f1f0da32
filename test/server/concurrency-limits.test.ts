// A server connection bounds the requests in flight per connection (issue 7): over a real stdio child
// process, 256 calls that never finish by themselves fill it, further calls are refused at once with
// -32603 naming maxConcurrentRequests, ping and cancellations still go through, and the process serves on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { distPath, spawnRaw, type RawServer } from '../helpers/raw-stdio.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const call = (id: string | number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});
const DEFAULT_MAX = 256;

describe('requests in flight per stdio connection are bounded', () => {
  let s: RawServer;
  const recorder = new WireRecorder({ only: 'server->client' });
  before(() => {
    s = spawnRaw(distPath('test/fixtures/tsmcp-stdio-server.js'), [], {}, recorder);
  });
  after(async () => {
    await s.close();
    recorder.assertClean();
  });

  it('refuses calls over the default bound, answers ping, and accepts calls again after cancellations', async () => {
    s.send({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
    });
    assert.ok((await s.next()).result);
    s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    for (let id = 1; id <= DEFAULT_MAX + 4; id++) s.send(call(id, 'test_slow_cancellable'));
    // Only the four calls over the bound are answered (at once); the others wait to be cancelled.
    const refused = [await s.next(), await s.next(), await s.next(), await s.next()];
    assert.deepEqual(
      refused.map((r) => r.id),
      [257, 258, 259, 260],
    );
    for (const r of refused) {
      const error = r.error as { code: number; message: string; data: { maxConcurrentRequests: number } };
      assert.equal(error.code, -32603);
      assert.match(error.message, /maxConcurrentRequests/);
      assert.equal(error.data.maxConcurrentRequests, DEFAULT_MAX);
    }
    s.send({ jsonrpc: '2.0', id: 'ping', method: 'ping' });
    assert.deepEqual(await s.next(), { jsonrpc: '2.0', id: 'ping', result: {} });

    for (const id of [1, 2])
      s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'test' } });
    // The cancelled handlers end a moment later (after this process wrote the lines): ask until a call gets in.
    let count: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !count?.result; i++) {
      if (i) await sleep(20);
      s.send(call(`count-${i}`, 'test_cancellation_count'));
      count = await s.next();
    }
    assert.deepEqual((count?.result as { content: { text: string }[] }).content[0]!.text, '2');
    // Two slots are free: two slow calls get in, the next one is refused again.
    for (const id of [261, 262, 263]) s.send(call(id, 'test_slow_cancellable'));
    const third = await s.next();
    assert.equal(third.id, 263);
    assert.equal((third.error as { code: number }).code, -32603);
    assert.deepEqual(await s.drain(100), []);
    assert.equal(s.child.exitCode, null);
  });
});

describe('maxConcurrentRequests on connect (memory transport, 2026-07-28)', () => {
  it('is the bound of that connection', async () => {
    const server = new McpServer({ name: 'slow', version: '1' });
    let started = 0;
    server.registerTool('wait', { inputSchema: { type: 'object', properties: {} } }, async (_a, ctx) => {
      started++;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { content: [] };
    });
    const [ct, st] = createLinkedPair();
    const conn = await server.connect(st, { maxConcurrentRequests: 2 });
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(ct);
    const stop = new AbortController();
    const waiting = [0, 1].map(() => client.callTool('wait', {}, { signal: stop.signal }).catch((e: unknown) => e));
    for (let i = 0; i < 100 && started < 2; i++) await sleep(10);
    assert.equal(started, 2);
    await assert.rejects(
      client.callTool('wait', {}, { timeoutMs: 2000 }),
      (e: unknown) =>
        e instanceof McpError &&
        e.code === -32603 &&
        (e.data as { maxConcurrentRequests: number }).maxConcurrentRequests === 2,
    );
    assert.equal(started, 2);
    stop.abort();
    await Promise.all(waiting);
    for (let i = 0; i < 100 && conn.requestsInFlight > 0; i++) await sleep(10);
    assert.equal(conn.requestsInFlight, 0);
    await client.close();
  });
});
