// The engine over an in-memory pair: correlation, timeouts (reset by progress, hard cap), cancellation
// in both directions, closed connections, and recovery from bad frames.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Peer, type IncomingContext } from '../../src/engine/peer.js';
import { McpError, TsmcpError } from '../../src/protocol/errors.js';
import type { JsonObject, JsonRpcRequest } from '../../src/protocol/jsonrpc.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pair(
  onrequest: (r: JsonRpcRequest, ctx: IncomingContext) => Promise<JsonObject> | JsonObject,
  timeoutMs?: number,
) {
  const [a, b] = createLinkedPair();
  const client = new Peer(a, { onrequest: () => ({}) }, { requestTimeoutMs: timeoutMs });
  const server = new Peer(b, { onrequest });
  await Promise.all([client.start(), server.start()]);
  return { client, server };
}

describe('Peer', () => {
  it('correlates concurrent requests by id', async () => {
    const { client } = await pair(async (r) => {
      await sleep(r.params?.wait as number);
      return { echo: r.params?.n };
    });
    const results = await Promise.all([30, 5, 15].map((wait, n) => client.request('echo', { wait, n })));
    assert.deepEqual(
      results.map((r) => r.echo),
      [0, 1, 2],
    );
  });

  it('turns thrown McpErrors into JSON-RPC errors and hides other exceptions', async () => {
    const { client } = await pair((r) => {
      if (r.method === 'mcp') throw new McpError(-32602, 'bad thing', { field: 'x' });
      throw new Error('secret internal detail at /srv/app.js:12');
    });
    await assert.rejects(
      client.request('mcp', {}),
      (e: unknown) => e instanceof McpError && e.code === -32602 && (e.data as { field: string }).field === 'x',
    );
    await assert.rejects(
      client.request('boom', {}),
      (e: unknown) => e instanceof McpError && e.code === -32603 && !/secret/.test(e.message),
    );
  });

  it('times out with a local TsmcpError, and tells the peer', async () => {
    let aborted: unknown;
    const { client } = await pair(async (_r, ctx) => {
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      aborted = ctx.signal.reason;
      return {};
    });
    await assert.rejects(
      client.request('slow', {}, { timeoutMs: 50 }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_TIMEOUT',
    );
    await sleep(20);
    assert.ok(aborted instanceof TsmcpError);
  });

  it('keeps a request alive while progress arrives, up to the hard cap', async () => {
    const { client } = await pair(async (r, ctx) => {
      const token = (r.params?._meta as JsonObject).progressToken as number;
      for (let i = 1; i <= 6; i++) {
        await sleep(40);
        await ctx.notify('notifications/progress', { progressToken: token, progress: i });
      }
      return { done: true };
    });
    const seen: number[] = [];
    const r = await client.request('long', {}, { timeoutMs: 100, onprogress: (p) => seen.push(p.progress) });
    assert.equal(r.done, true);
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
    await assert.rejects(
      client.request('long', {}, { timeoutMs: 100, maxTotalTimeoutMs: 150, onprogress: () => {} }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_TIMEOUT',
    );
    await assert.rejects(
      client.request('long', {}, { timeoutMs: 100, resetTimeoutOnProgress: false, onprogress: () => {} }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_TIMEOUT',
    );
  });

  it('cancels through AbortSignal: the caller rejects and the handler signal fires', async () => {
    let handlerSaw: string | undefined;
    const { client } = await pair(async (_r, ctx) => {
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      handlerSaw = (ctx.signal.reason as Error).message;
      return { late: true };
    });
    const ac = new AbortController();
    const p = client.request('wait', {}, { signal: ac.signal });
    await sleep(10);
    ac.abort('user changed their mind');
    await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
    await sleep(20);
    assert.equal(handlerSaw, 'user changed their mind');
  });

  it('rejects pending requests when the connection closes', async () => {
    const { client, server } = await pair(() => new Promise(() => {}));
    const p = client.request('never', {});
    await sleep(5);
    await server.close();
    await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED');
    await assert.rejects(
      client.request('after', {}),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED',
    );
  });

  it('times out a later request with a shorter timeout first, with its own error and cancellation', async () => {
    // One timer serves every request of a peer: a request due before the others must re-arm it.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const aborted: unknown[] = [];
    const { client } = await pair(async (r, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.push(r.id));
      await gate;
      return { method: r.method };
    });
    const long = client.request('long', {}, { timeoutMs: 60_000 });
    await assert.rejects(
      client.request('short', {}, { timeoutMs: 20 }),
      (e: unknown) =>
        e instanceof TsmcpError && e.code === 'TSMCP_TIMEOUT' && e.message === 'short request 2 timed out after 20 ms',
    );
    for (let i = 0; i < 50 && aborted.length === 0; i++) await sleep(5);
    assert.deepEqual(aborted, [2]);
    release();
    assert.deepEqual(await long, { method: 'long' });
  });

  it('keeps no timer holding the process once nothing pending can time out', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { client } = await pair(async (r) => {
      if (r.method === 'listen') await gate;
      return {};
    });
    const before = timers();
    const p = client.request('x', {}, { timeoutMs: 60_000 });
    assert.equal(timers(), before + 1);
    await p;
    assert.equal(timers(), before);
    // A request without a timeout (subscriptions/listen) is not one: it leaves the timer unref'd.
    const listen = client.request('listen', {}, { timeoutMs: Number.POSITIVE_INFINITY });
    await client.request('y', {}, { timeoutMs: 60_000 });
    assert.equal(timers(), before);
    release();
    await listen;
    await client.close();
    assert.equal(timers(), before);
  });

  it('answers an already-aborted signal without sending anything', async () => {
    let calls = 0;
    const { client } = await pair(() => {
      calls++;
      return {};
    });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      client.request('x', {}, { signal: ac.signal }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED',
    );
    await sleep(10);
    assert.equal(calls, 0);
  });
});
