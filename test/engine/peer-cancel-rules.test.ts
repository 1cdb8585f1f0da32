// Who may cancel what: `cancellable: false` requests (initialize) are never cancelled on the wire, and a
// peer may end only the requests sent as `peerCancellable` (subscriptions/listen).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Peer } from '../../src/engine/peer.js';
import { TsmcpError } from '../../src/index.js';
import type { JsonObject } from '../../src/protocol/jsonrpc.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';

async function pair() {
  const [a, b] = createLinkedPair();
  const seenByB: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const client = new Peer(a, { onrequest: () => ({}) });
  const server = new Peer(b, {
    onrequest: async () => {
      await gate;
      return { done: true } as JsonObject;
    },
    onnotification: (n) => seenByB.push(n.method),
  });
  await Promise.all([client.start(), server.start()]);
  return { client, server, seenByB, release };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('Peer cancellation rules', () => {
  it('cancellable: false fails locally on abort and sends no notifications/cancelled', async () => {
    const { client, seenByB, release } = await pair();
    const ac = new AbortController();
    const p = client.request('initialize', {}, { signal: ac.signal, cancellable: false });
    ac.abort('caller gave up');
    await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
    await flush();
    assert.deepEqual(seenByB, []);
    release();
    await client.close();
  });

  it('a peer cancel naming an ordinary request is ignored; a peerCancellable one is ended', async () => {
    const { client, server, release } = await pair();
    const ids: number[] = [];
    const ordinary = client.request('work', {}, { onid: (id) => ids.push(id as number) });
    const listen = client.request(
      'subscriptions/listen',
      {},
      { onid: (id) => ids.push(id as number), peerCancellable: true, timeoutMs: Infinity },
    );
    const listenEnd = listen.then(
      () => undefined,
      (e: unknown) => e,
    );
    for (const id of ids) await server.notify('notifications/cancelled', { requestId: id, reason: 'going away' });
    const e = await listenEnd;
    assert.ok(e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED' && /going away/.test(e.message), String(e));
    release();
    assert.deepEqual(await ordinary, { done: true });
    await client.close();
  });
});
