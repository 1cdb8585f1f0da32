// A 2026-07-28 result whose `resultType` the client does not accept (CHECKLIST A7: core values plus those
// of extensions in use; anything else MUST be treated as invalid): the call fails with a local
// TSMCP_INVALID_RESPONSE, is never taken as complete, never retried and never cached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

type Msg = { id?: string | number; method?: string; params?: Record<string, unknown> };

/** A hand-driven 2026-07-28 server over the in-memory pair: `result` answers every request but discover. */
async function rawServer(result: (m: Msg) => object) {
  const [ct, st] = createLinkedPair();
  const seen: Msg[] = [];
  st.onmessage = (v) => {
    const m = v as Msg;
    seen.push(m);
    if (m.id === undefined) return;
    const body =
      m.method === 'server/discover'
        ? {
            resultType: 'complete',
            supportedVersions: ['2026-07-28'],
            capabilities: { tools: {} },
            ttlMs: 0,
            cacheScope: 'private',
          }
        : result(m);
    void st.send({ jsonrpc: '2.0', id: m.id, result: body } as never);
  };
  await st.start();
  // Only what tsmcp sends is held to the schema: this server is broken on purpose.
  const recorder = new WireRecorder({ only: 'client->server' });
  const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28', cache: true });
  await client.connect(recordTransport(ct, recorder, 'client'));
  return { client, seen, recorder, calls: (method: string) => seen.filter((m) => m.method === method).length };
}

const invalid = (type: string) => (e: unknown) =>
  e instanceof TsmcpError && e.code === 'TSMCP_INVALID_RESPONSE' && e.message.includes(type);

describe('2026-07-28: a resultType the client does not accept', () => {
  for (const [label, value, shown] of [
    ['an unknown string', 'partial', '"partial"'],
    ['"task" without the tasks extension in use', 'task', '"task"'],
    ['a number', 7, '7'],
    ['null (present, so not "absent means complete")', null, 'null'],
  ] as const) {
    it(`${label}: tools/call fails with TSMCP_INVALID_RESPONSE, no retry`, async () => {
      const s = await rawServer(() => ({ resultType: value, content: [{ type: 'text', text: 'looks complete' }] }));
      await assert.rejects(s.client.callTool('t'), invalid(shown));
      assert.equal(s.calls('tools/call'), 1);
      s.recorder.assertClean();
      await s.client.close();
    });
  }

  it('tools/list: the bad result is not cached; the next list asks the server again', async () => {
    const s = await rawServer(() => ({ resultType: 'partial', tools: [], ttlMs: 60_000, cacheScope: 'private' }));
    await assert.rejects(s.client.listTools(), invalid('"partial"'));
    await assert.rejects(s.client.listTools(), invalid('"partial"'));
    assert.equal(s.calls('tools/list'), 2);
    s.recorder.assertClean();
    await s.client.close();
  });

  it('"input_required" on a method that cannot ask for input (tools/list) is invalid too', async () => {
    const s = await rawServer(() => ({ resultType: 'input_required', requestState: 'x' }));
    await assert.rejects(s.client.listTools(), invalid('"input_required"'));
    assert.equal(s.calls('tools/list'), 1);
    s.recorder.assertClean();
    await s.client.close();
  });

  it('an absent resultType is "complete" (a result from a server that omits it)', async () => {
    const s = await rawServer(() => ({ content: [{ type: 'text', text: 'ok' }] }));
    assert.deepEqual((await s.client.callTool('t')).content, [{ type: 'text', text: 'ok' }]);
    s.recorder.assertClean();
    await s.client.close();
  });
});
