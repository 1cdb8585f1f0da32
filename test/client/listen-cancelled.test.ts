// A server that ends a subscriptions/listen with notifications/cancelled: the client tells the caller
// (oninterrupt, then onclose when it gives up) and listens again per the reconnect policy, over the
// memory pair and over stdio with a real child process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { listenTeardown } from '../helpers/listen-teardown.js';
import { distPath } from '../helpers/raw-stdio.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

async function memoryServer() {
  const server = new McpServer({ name: 's', version: '1' });
  server.registerTool('t0', {}, () => ({ content: [] }));
  const [a, b] = createLinkedPair();
  const recorder = new WireRecorder();
  const teardown = listenTeardown(recordTransport(b, recorder, 'server'));
  await server.connect(teardown.transport);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(recordTransport(a, recorder, 'client'));
  let n = 0;
  const addTool = async () => void server.registerTool(`added_${++n}`, {}, () => ({ content: [] }));
  return { client, recorder, addTool, endListens: () => teardown.cancelAll('server is reloading') };
}

async function stdioServer() {
  const recorder = new WireRecorder();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [distPath('test/fixtures/fragile-server.js')],
  });
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(recordTransport(transport, recorder, 'client'));
  const addTool = async () => void (await client.callTool('test_add_tool'));
  const endListens = async () =>
    Number(((await client.callTool('test_end_listens')).content[0] as { text: string }).text);
  return { client, recorder, addTool, endListens };
}

for (const [name, open] of [
  ['memory pair', memoryServer],
  ['stdio', stdioServer],
] as const) {
  describe(`server-cancelled listen (${name})`, () => {
    it('tells the caller and listens again; later changes arrive', async (t) => {
      const { client, recorder, addTool, endListens } = await open();
      t.after(() => client.close());
      assert.equal(client.era, 'modern');
      const events: string[] = [];
      const interrupts: unknown[] = [];
      const closes: unknown[] = [];
      let reconnects = 0;
      const sub = await client.subscribe({ toolsListChanged: true }, (m) => events.push(m), {
        oninterrupt: (e) => interrupts.push(e),
        onclose: (e) => closes.push(e),
        onreconnect: () => reconnects++,
      });
      await addTool();
      await until(() => events.length === 1, 'the first list_changed');
      assert.equal(await endListens(), 1);
      await until(() => interrupts.length === 1, 'oninterrupt');
      const e = interrupts[0];
      assert.ok(e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED', String(e));
      assert.match(e.message, /server is reloading/);
      await until(() => reconnects === 1, 'the listen again');
      await addTool();
      await until(() => events.length === 2, 'a list_changed on the new listen');
      assert.deepEqual(closes, []);
      await sub.close();
      assert.deepEqual(closes, [], 'close() by the caller is not reported back');
      await client.close();
      recorder.assertClean();
    });

    it('with reconnect off, the subscription ends and onclose says why', async (t) => {
      const { client, recorder, endListens } = await open();
      t.after(() => client.close());
      const closes: unknown[] = [];
      const sub = await client.subscribe({ toolsListChanged: true }, () => {}, {
        reconnect: false,
        onclose: (e) => closes.push(e),
      });
      await endListens();
      await until(() => closes.length === 1, 'onclose');
      assert.ok(closes[0] instanceof TsmcpError && closes[0].code === 'TSMCP_CANCELLED');
      await sub.close();
      await client.close();
      recorder.assertClean();
    });
  });
}

describe('a server that acknowledges and then cancels every listen', () => {
  it('is not re-listened forever: quick ends count as failed attempts, then the subscription closes', async (t) => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('t0', {}, () => ({ content: [] }));
    const [a, b] = createLinkedPair();
    const recorder = new WireRecorder();
    const teardown = listenTeardown(recordTransport(b, recorder, 'server'));
    await server.connect(teardown.transport);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(recordTransport(a, recorder, 'client'));
    t.after(() => client.close());
    let reconnects = 0;
    const closes: unknown[] = [];
    await client.subscribe({ toolsListChanged: true }, () => {}, {
      maxReconnects: 2,
      // Each listen is cancelled as soon as it is acknowledged again.
      onreconnect: () => void (reconnects++, teardown.cancelAll('flapping')),
      onclose: (e) => closes.push(e),
    });
    await teardown.cancelAll('flapping');
    // Backoff 250 ms then 500 ms: well within 3 s when bounded; never when every acknowledgement resets.
    for (let i = 0; i < 300 && closes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closes.length, 1, 'the subscription gave up');
    assert.equal(reconnects, 2, 'exactly maxReconnects listens again');
    await client.close();
  });
});
