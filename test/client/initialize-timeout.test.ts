// A server that never answers initialize: the client gives up with a typed timeout and, as the spec
// requires ("initialize MUST NOT be cancelled"), sends no notifications/cancelled for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

/** A silent server: records what arrives, answers nothing. */
async function silentPair() {
  const [a, b] = createLinkedPair();
  const recorder = new WireRecorder();
  const arrived: { method?: string; id?: unknown; params?: { requestId?: unknown } }[] = [];
  const server = recordTransport(b, recorder, 'server');
  server.onmessage = (m) => arrived.push(m as (typeof arrived)[number]);
  await server.start();
  return { client: recordTransport(a, recorder, 'client'), arrived, recorder };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('initialize timeout', () => {
  for (const version of ['legacy', 'auto'] as const) {
    it(`${version}: fails with TSMCP_TIMEOUT and never cancels initialize`, async () => {
      const { client: t, arrived, recorder } = await silentPair();
      const client = new Client({ name: 'c', version: '1' }, { version, requestTimeoutMs: 50, probeTimeoutMs: 50 });
      const error = await client.connect(t).then(
        () => undefined,
        (e: unknown) => e,
      );
      await flush();
      const init = arrived.find((m) => m.method === 'initialize');
      assert.ok(init, 'initialize was sent');
      const cancels = arrived.filter((m) => m.method === 'notifications/cancelled');
      assert.deepEqual(
        cancels.filter((c) => c.params?.requestId === init.id),
        [],
        'no notifications/cancelled for initialize',
      );
      assert.ok(error instanceof TsmcpError, String(error));
      assert.equal(error.code, 'TSMCP_TIMEOUT');
      assert.match(error.message, /initialize/);
      recorder.assertClean();
    });
  }
});
