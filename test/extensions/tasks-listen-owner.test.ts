// `subscriptions/listen` with `taskIds` follows only the caller's own tasks (the owner rule of tasks/get):
// another principal's task id, or an unknown one, is dropped from the honoured filter and nothing of that
// task reaches the stream. Over real HTTP with two bearer-token principals.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError, type AuthInfo, type JsonObject } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const TOKENS: { [token: string]: string } = { 'alice-token': 'alice', 'bob-token': 'bob' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait (at most 400 short sleeps) until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await sleep(5);
  assert.ok(done(), `timed out waiting for ${what}`);
}

describe('task notifications on subscriptions/listen are for the task owner only', () => {
  let http: HttpServer;
  let url: string;
  let release: () => void = () => {};
  // Recorded at each client (a tap in front of the handler would race the async authenticate for the body).
  const recorders: WireRecorder[] = [];
  before(async () => {
    const s = new McpServer({ name: 'tasks', version: '1' }, { tasks: { pollIntervalMs: 10 } });
    s.registerTool('gated', { task: 'always', inputSchema: { type: 'object' } }, async () => {
      await new Promise<void>((r) => (release = r));
      return { content: [{ type: 'text', text: 'secret result' }] };
    });
    http = createServer(
      createNodeHandler(s, {
        authenticate: (req) => {
          const subject = TOKENS[(req.header('authorization') ?? '').replace(/^Bearer /, '')];
          if (!subject) throw new Error('bad token');
          return { subject, token: 'x' } satisfies AuthInfo;
        },
      }),
    );
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
    for (const r of recorders) r.assertClean();
  });

  const connect = async (token: string, statuses?: JsonObject[]) => {
    const client = new Client({ name: token, version: '1' }, {
      tasks: statuses ? { onstatus: (t: JsonObject) => void statuses.push(t) } : true,
    } as never);
    const recorder = new WireRecorder({ label: token });
    recorders.push(recorder);
    await client.connect(
      recordTransport(
        new StreamableHttpClientTransport(url, { headers: { authorization: `Bearer ${token}` } }),
        recorder,
        'client',
      ),
    );
    return client;
  };

  it("bob naming alice's task id gets nothing of it; alice gets her notifications, final result included", async () => {
    const statuses: JsonObject[] = [];
    const alice = await connect('alice-token', statuses);
    const bob = await connect('bob-token');
    const call = alice.callTool('gated');
    await until(() => statuses.length > 0, 'the task to be created');
    const taskId = String(statuses[0]!.taskId);

    const bobSeen: JsonObject[] = [];
    const bobSub = await bob.subscribe({ taskIds: [taskId, 'no-such-task'] }, (_m, p) => void bobSeen.push(p));
    assert.deepEqual(bobSub.acknowledged.taskIds ?? [], [], 'a foreign or unknown task id is not honoured');

    const aliceSeen: JsonObject[] = [];
    const listener = await connect('alice-token');
    const aliceSub = await listener.subscribe(
      { taskIds: [taskId, 'no-such-task'] },
      (m, p) => void aliceSeen.push({ m, ...p }),
    );
    assert.deepEqual(aliceSub.acknowledged.taskIds, [taskId]);

    release();
    await call;
    await until(() => aliceSeen.some((p) => p.status === 'completed'), "alice's completed notification");
    const done = aliceSeen.find((p) => p.status === 'completed')!;
    assert.equal(((done.result as JsonObject).content as { text: string }[])[0]!.text, 'secret result');
    // Bob's stream is still open and heard nothing (alice's arrived, so his would have by now).
    assert.deepEqual(bobSeen, []);
    for (const c of [bobSub, aliceSub]) await c.close();
    for (const c of [alice, bob, listener]) await c.close();
  });

  it('bounds the task ids one listen may name (maxResourceSubscriptions)', async () => {
    const alice = await connect('alice-token');
    const ids = Array.from({ length: 1001 }, (_, i) => `t${i}`);
    await assert.rejects(
      alice.subscribe({ taskIds: ids }, () => {}, { reconnect: false } as never),
      (e: unknown) => e instanceof McpError && e.code === -32602 && /maxResourceSubscriptions/.test(e.message),
    );
    await alice.close();
  });
});
