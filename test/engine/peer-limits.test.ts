// The engine bounds what a peer may make it hold (issue 7): incoming requests in flight per connection
// (`maxConcurrentRequests`). Over the bound a request is refused at once, no handler runs; ping and
// notifications (cancellations above all) always go through, and freed slots are usable again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Peer, type PeerOptions } from '../../src/engine/peer.js';
import { McpError, TsmcpError } from '../../src/protocol/errors.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  assert.ok(cond(), `never saw: ${what}`);
}
const overLimit = (max: number) => (e: unknown) =>
  e instanceof McpError &&
  e.code === -32603 &&
  e.message.includes('maxConcurrentRequests') &&
  (e.data as { maxConcurrentRequests: number }).maxConcurrentRequests === max;

/** A server peer whose requests wait until cancelled, counting handler runs. */
async function slowPair(options: PeerOptions) {
  const [a, b] = createLinkedPair();
  const counts = { started: 0 };
  const server = new Peer(
    b,
    {
      onrequest: async (r, ctx) => {
        if (r.method === 'ping') return {};
        counts.started++;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return {};
      },
    },
    options,
  );
  const client = new Peer(a, { onrequest: () => ({}) });
  await Promise.all([client.start(), server.start()]);
  return { client, server, counts };
}

describe('Peer: incoming requests in flight are bounded', () => {
  it('refuses requests over maxConcurrentRequests without running a handler; ping and cancellation still work', async () => {
    const { client, server, counts } = await slowPair({ maxConcurrentRequests: 3 });
    const controllers = [0, 1, 2].map(() => new AbortController());
    const slow = controllers.map((c) =>
      client.request('slow', {}, { signal: c.signal, timeoutMs: Infinity }).catch((e: unknown) => e),
    );
    await until(() => counts.started === 3, 'three handlers running');
    assert.equal(server.incomingInFlight, 3);
    // timeoutMs only so that an unbounded engine fails this test instead of hanging it.
    const extra = await Promise.all(
      [0, 1, 2, 3, 4].map(() => client.request('slow', {}, { timeoutMs: 2000 }).catch((e: unknown) => e)),
    );
    for (const e of extra) assert.ok(overLimit(3)(e), String(e));
    assert.equal(counts.started, 3, 'no handler ran for a refused request');
    assert.deepEqual(await client.request('ping', undefined, { timeoutMs: 2000 }), {});
    controllers[0]!.abort('enough');
    await until(() => server.incomingInFlight === 2, 'the cancelled request to end');
    const again = client.request('slow', {}, { timeoutMs: Infinity }).catch((e: unknown) => e);
    await until(() => counts.started === 4, 'a new request to run');
    await assert.rejects(client.request('slow', {}, { timeoutMs: 2000 }), overLimit(3));
    assert.ok(!server.closed && !client.closed);
    await client.close();
    const ended = await Promise.all([...slow, again]);
    for (const e of ended) assert.ok(e instanceof TsmcpError, String(e));
    assert.equal(server.incomingInFlight, 0);
  });

  it('defaults to 256', async () => {
    const { client, server, counts } = await slowPair({});
    const slow = Array.from({ length: 256 }, () =>
      client.request('slow', {}, { timeoutMs: Infinity }).catch((e: unknown) => e),
    );
    await until(() => counts.started === 256, '256 handlers running');
    await assert.rejects(client.request('slow', {}, { timeoutMs: 2000 }), overLimit(256));
    assert.equal(server.incomingInFlight, 256);
    await client.close();
    await Promise.all(slow);
  });
});
