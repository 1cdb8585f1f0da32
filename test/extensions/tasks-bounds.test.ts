// Task floods: unfinished tasks are limited per principal (or session, or the anonymous bucket), the
// store never drops a live task, removed tasks have their work aborted, and a requested ttl is capped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpError, type JsonObject } from '../../src/index.js';
import { InMemoryTaskStore } from '../../src/extensions/tasks/index.js';
import { McpServer } from '../../src/entries/server.js';
import { enableExperimentalTasks } from '../../src/experimental/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { connectPair } from '../helpers/pair.js';

const USER = 'com.example/user';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw 2026-07-28 client that declares the tasks extension and does not follow tasks. */
async function rawModern(s: McpServer) {
  const [ct, st] = createLinkedPair();
  await s.connect(st);
  const waiting = new Map<number, (m: JsonObject) => void>();
  ct.onmessage = (m) => waiting.get((m as { id: number }).id)?.(m as JsonObject);
  await ct.start();
  let next = 1;
  return (method: string, params: JsonObject, user?: string): Promise<JsonObject> => {
    const id = next++;
    const _meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {
        elicitation: {},
        extensions: { 'io.modelcontextprotocol/tasks': {} },
      },
      ...(user ? { [USER]: user } : {}),
    };
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      void ct.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta } });
    });
  };
}

function floodServer(store: InMemoryTaskStore) {
  const s = new McpServer(
    { name: 'flood', version: '1' },
    {
      tasks: { store, pollIntervalMs: 5, maxTasksPerPrincipal: 10 },
      principalOf: ({ meta }) => (typeof meta[USER] === 'string' ? meta[USER] : undefined),
    },
  );
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let aborted = 0;
  s.registerTool('wait', { task: 'always' }, async (_a, ctx) => {
    // Waits for input nobody gives; only an abort ends it.
    await ctx
      .elicit({ message: 'never answered', requestedSchema: { type: 'object', properties: {} } })
      .catch(() => aborted++);
    return { content: [] };
  });
  s.registerTool('work', { task: 'always' }, async () => {
    await gate;
    return { content: [{ type: 'text', text: 'alice done' }] };
  });
  return { s, release, aborted: () => aborted };
}

const limitOf = (r: JsonObject) => (r.error as { data?: { limit?: string } } | undefined)?.data?.limit;

describe('task bounds', () => {
  it('a flood of unfinished tasks is refused; alice’s live task survives and completes', async () => {
    const store = new InMemoryTaskStore({ maxTasks: 30 });
    const { s, release, aborted } = floodServer(store);
    const call = await rawModern(s);
    const created = await call('tools/call', { name: 'work', arguments: {} }, 'alice');
    const aliceTask = String((created.result as JsonObject).taskId);

    // Anonymous: one shared bucket of 10.
    const anon = [];
    for (let i = 0; i < 40; i++) anon.push(await call('tools/call', { name: 'wait', arguments: {} }));
    assert.equal(anon.filter((r) => r.result).length, 10);
    const refused = anon.find((r) => r.error)!;
    assert.equal((refused.error as { code: number }).code, -32603);
    assert.equal(limitOf(refused), 'maxTasksPerPrincipal');
    assert.match((refused.error as { message: string }).message, /maxTasksPerPrincipal/);

    // Many principals: the store fills with live tasks and then refuses instead of evicting one.
    const many = [];
    for (let i = 0; i < 40; i++) many.push(await call('tools/call', { name: 'wait', arguments: {} }, `user${i}`));
    assert.equal(many.filter((r) => r.result).length, 30 - 11);
    assert.equal(limitOf(many.find((r) => r.error)!), 'maxTasks');
    assert.equal(store.size, 30);

    assert.equal(((await call('tasks/get', { taskId: aliceTask }, 'alice')).result as JsonObject).status, 'working');
    release();
    let done: JsonObject = {};
    for (let i = 0; i < 200 && done.status !== 'completed'; i++, await sleep(5))
      done = (await call('tasks/get', { taskId: aliceTask }, 'alice')).result as JsonObject;
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.result, { content: [{ type: 'text', text: 'alice done' }], resultType: 'complete' });

    // Cancelling frees a slot: the work sees its abort and the anonymous bucket takes one more.
    const first = String((anon[0]!.result as JsonObject).taskId);
    await call('tasks/cancel', { taskId: first });
    for (let i = 0; i < 200 && s.tasks!.running > 28; i++) await sleep(5);
    assert.equal(aborted(), 1);
    assert.equal(s.tasks!.running, 28);
    assert.ok((await call('tools/call', { name: 'wait', arguments: {} })).result);
  });

  it('a task still running when its lifetime ends is aborted and removed', async () => {
    const s = new McpServer({ name: 'ttl', version: '1' }, { tasks: { ttlMs: 30, pollIntervalMs: 5 } });
    let aborted = 0;
    s.registerTool('forever', { task: 'always' }, async (_a, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      aborted++;
      return { content: [] };
    });
    const call = await rawModern(s);
    const taskId = String(((await call('tools/call', { name: 'forever', arguments: {} })).result as JsonObject).taskId);
    for (let i = 0; i < 200 && aborted < 1; i++) await sleep(5);
    assert.equal(aborted, 1);
    const gone = await call('tasks/get', { taskId });
    assert.equal((gone.error as { code: number }).code, -32602);
    assert.equal(s.tasks!.running, 0);
  });

  it('experimental tasks: per-session bucket, ttl capped at maxTtlMs', async () => {
    const s = new McpServer({ name: 'exp', version: '1' }, { tasks: { pollIntervalMs: 5, maxTasksPerPrincipal: 3 } });
    s.registerTool('wait', { task: 'optional' }, async (_a, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      return { content: [] };
    });
    enableExperimentalTasks(s);
    const a = await connectPair(s, { version: '2025-11-25' });
    const b = await connectPair(s, { version: '2025-11-25' });
    const first = await a.client.request('tools/call', { name: 'wait', arguments: {}, task: { ttl: 1e15 } });
    assert.equal((first.task as JsonObject).ttl, 24 * 60 * 60_000);
    await a.client.request('tools/call', { name: 'wait', arguments: {}, task: {} });
    await a.client.request('tools/call', { name: 'wait', arguments: {}, task: {} });
    await assert.rejects(
      a.client.request('tools/call', { name: 'wait', arguments: {}, task: {} }),
      (e: unknown) => e instanceof McpError && e.code === -32603 && /maxTasksPerPrincipal/.test(e.message),
    );
    // Another session has its own bucket.
    assert.ok((await b.client.request('tools/call', { name: 'wait', arguments: {}, task: {} })).task);
  });
});
