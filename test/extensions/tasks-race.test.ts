// A cancel racing completion: the terminal status is written once (compare-and-set in the store) and
// announced once, even with a store whose every operation takes a timer tick.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../src/index.js';
import { InMemoryTaskStore, type TaskStore } from '../../src/extensions/tasks/index.js';
import { McpServer } from '../../src/entries/server.js';
import { enableExperimentalTasks } from '../../src/experimental/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { connectPair } from '../helpers/pair.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Every store operation awaits a 1 ms timer first, as a networked store would. */
function slowStore(inner: TaskStore): TaskStore {
  return new Proxy(inner, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function'
        ? async (...args: unknown[]) => (await sleep(1), (v as (...a: unknown[]) => unknown).apply(target, args))
        : v;
    },
  });
}

function raceServer() {
  const s = new McpServer(
    { name: 'race', version: '1' },
    { tasks: { store: slowStore(new InMemoryTaskStore()), pollIntervalMs: 5 } },
  );
  s.registerTool('quick', { task: 'always' }, async () => (await sleep(1), { content: [] }));
  s.registerTool('quickExp', { task: 'optional' }, async () => (await sleep(1), { content: [] }));
  enableExperimentalTasks(s);
  const published = new Map<string, string[]>();
  s.server.events.subscribe((e) => {
    // Task status changes travel as the tasks extension's events (routed by the listen key taskIds).
    if (e.type === 'extension' && e.method === 'notifications/tasks' && TERMINAL.has(String(e.params.status)))
      published.set(e.value, [...(published.get(e.value) ?? []), String(e.params.status)]);
  });
  return { s, published };
}

/** Wait (bounded) until every task has a terminal status, then a little longer for a late duplicate. */
async function settle(ids: string[], status: (id: string) => Promise<string>) {
  for (const id of ids) for (let i = 0; i < 200 && !TERMINAL.has(await status(id)); i++) await sleep(2);
  await sleep(30);
}

describe('cancel racing completion', () => {
  it('tasks extension: one terminal state per task, published once', async () => {
    const { s, published } = raceServer();
    const [ct, st] = createLinkedPair();
    await s.connect(st);
    const waiting = new Map<number, (m: JsonObject) => void>();
    ct.onmessage = (m) => waiting.get((m as { id: number }).id)?.((m as { result: JsonObject }).result);
    await ct.start();
    let n = 0;
    const _meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
    };
    const call = (method: string, params: JsonObject) =>
      new Promise<JsonObject>(
        (resolve) => (
          waiting.set(++n, resolve), void ct.send({ jsonrpc: '2.0', id: n, method, params: { ...params, _meta } })
        ),
      );
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = String((await call('tools/call', { name: 'quick', arguments: {} })).taskId);
      ids.push(id);
      await call('tasks/cancel', { taskId: id });
    }
    const status = async (id: string) => String((await call('tasks/get', { taskId: id })).status);
    await settle(ids, status);
    for (const id of ids) {
      assert.equal(published.get(id)?.length, 1, `task ${id} published ${JSON.stringify(published.get(id))}`);
      assert.equal(await status(id), published.get(id)![0]);
    }
  });

  it('experimental tasks: the cancel answer, tasks/get and the publication agree', async () => {
    const { s, published } = raceServer();
    const { client } = await connectPair(s, { version: '2025-11-25' });
    const ids: string[] = [];
    const answers = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const id = String(
        ((await client.request('tools/call', { name: 'quickExp', arguments: {}, task: {} })).task as JsonObject).taskId,
      );
      ids.push(id);
      // Lost race: -32602 "already completed"; won: the cancelled task.
      answers.set(
        id,
        await client.request('tasks/cancel', { taskId: id }).then(
          (t) => String(t.status),
          () => 'refused',
        ),
      );
    }
    const status = async (id: string) => String((await client.request('tasks/get', { taskId: id })).status);
    await settle(ids, status);
    for (const id of ids) {
      const once = published.get(id);
      assert.equal(once?.length, 1, `task ${id} published ${JSON.stringify(once)}`);
      assert.equal(await status(id), once![0]);
      assert.equal(
        answers.get(id) === 'cancelled',
        once![0] === 'cancelled',
        `cancel answered ${answers.get(id)}, task ended ${once![0]}`,
      );
    }
  });
});
