// The tasks extension end to end (tsmcp client ↔ tsmcp server, wire schema-checked): tasks created on
// request, followed to their result, input through tasks/update, cancellation, errors, TTL, listen.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { McpError, TsmcpError, type JsonObject } from '../../src/index.js';
import { McpServer, ToolError } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

function taskServer(ttlMs?: number) {
  const s = new McpServer(
    { name: 'tasks', version: '1' },
    { tasks: { pollIntervalMs: 20, ...(ttlMs ? { ttlMs } : {}) } },
  );
  let cancelled = 0;
  s.registerTool('slow', { task: 'always' }, async (_a, ctx) => {
    await sleep(150, ctx.signal);
    if (ctx.signal.aborted) cancelled++;
    return { content: [{ type: 'text', text: 'slow done' }] };
  });
  s.registerTool('maybe', { task: 'optional' }, () => ({ content: [{ type: 'text', text: 'maybe done' }] }));
  s.registerTool('failing', { task: 'always' }, () => {
    throw new ToolError('the job failed');
  });
  s.registerTool('broken', { task: 'always' }, () => {
    throw new McpError(-32602, 'bad job input', { field: 'x' });
  });
  s.registerTool('ask', { task: 'always' }, async (_a, ctx) => {
    const a = await ctx.elicit(
      { message: 'name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
      { key: 'who' },
    );
    return { content: [{ type: 'text', text: `hi ${String(a.content?.name)}` }] };
  });
  s.registerTool('sync', {}, () => ({ content: [{ type: 'text', text: 'sync' }] }));
  return { s, cancelled: () => cancelled };
}

describe('tasks extension', () => {
  it('advertises the extension and follows a task to its result', async () => {
    const { s } = taskServer();
    const statuses: string[] = [];
    const { client, recorder } = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(String(t.status)) } });
    assert.deepEqual(client.serverCapabilities.extensions, { 'io.modelcontextprotocol/tasks': {} });
    assert.equal(text(await client.callTool('slow')), 'slow done');
    assert.equal(statuses[0], 'working');
    assert.equal(statuses.at(-1), 'completed');
    assert.equal(text(await client.callTool('sync')), 'sync');
    recorder.assertClean();
  });

  it('keeps tool errors as completed + isError, and protocol errors as failed', async () => {
    const { s } = taskServer();
    const { client, recorder } = await connectPair(s, { tasks: true });
    const r = await client.callTool('failing');
    assert.equal(r.isError, true);
    assert.equal(text(r), 'the job failed');
    await assert.rejects(
      client.callTool('broken'),
      (e: unknown) => e instanceof McpError && e.code === -32602 && (e.data as { field: string }).field === 'x',
    );
    recorder.assertClean();
  });

  it('asks for input through the task and resumes with tasks/update', async () => {
    const { s } = taskServer();
    let asked = 0;
    const { client, recorder } = await connectPair(s, {
      tasks: true,
      handlers: { elicitation: () => (asked++, { action: 'accept', content: { name: 'Ada' } }) },
    });
    assert.equal(text(await client.callTool('ask')), 'hi Ada');
    assert.equal(asked, 1);
    recorder.assertClean();
  });

  it('without the extension: required tasks are refused with -32021, optional ones run inline', async () => {
    const { s } = taskServer();
    const { client } = await connectPair(s);
    await assert.rejects(
      client.callTool('slow'),
      (e: unknown) =>
        e instanceof McpError && e.code === -32021 && JSON.stringify(e.data).includes('io.modelcontextprotocol/tasks'),
    );
    assert.equal(text(await client.callTool('maybe')), 'maybe done');
    await assert.rejects(
      client.request('tasks/get', { taskId: 'x' }),
      (e: unknown) => e instanceof McpError && e.code === -32021,
    );
  });

  it('polling a task with a caller signal leaves no listener on it per poll', async () => {
    const { s } = taskServer(); // slow: 150 ms at a 20 ms poll interval, several polls
    const { client } = await connectPair(s, { tasks: {} });
    const ac = new AbortController();
    assert.equal(text(await client.callTool('slow', {}, { signal: ac.signal })), 'slow done');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });

  it('cancels: the caller aborts, the work sees its signal, the task ends cancelled', async () => {
    const { s, cancelled } = taskServer();
    const statuses: JsonObject[] = [];
    const { client } = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(t) } });
    const ac = new AbortController();
    const p = client.callTool('slow', {}, { signal: ac.signal });
    await sleep(40);
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
    await sleep(30);
    assert.equal(cancelled(), 1);
    const t = await client.request('tasks/get', { taskId: String(statuses[0]!.taskId) }, { noCache: true });
    assert.equal(t.status, 'cancelled');
    // Cancelling a finished task is acknowledged; unknown ids are -32602; updates nobody waits for are ignored.
    assert.equal((await client.request('tasks/cancel', { taskId: String(t.taskId) })).resultType, 'complete');
    assert.equal(
      (
        await client.request('tasks/update', {
          taskId: String(t.taskId),
          inputResponses: { nope: { action: 'accept' } },
        })
      ).resultType,
      'complete',
    );
    await assert.rejects(
      client.request('tasks/get', { taskId: 'no-such-task' }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
  });

  it('expires tasks after their TTL', async () => {
    const { s } = taskServer(60);
    const statuses: JsonObject[] = [];
    const { client } = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(t) } });
    await client.callTool('maybe');
    const id = String(statuses[0]?.taskId);
    await sleep(100);
    await assert.rejects(
      client.request('tasks/get', { taskId: id }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
  });

  it('sends notifications/tasks to listeners that asked for the task', async () => {
    const { s } = taskServer();
    const statuses: JsonObject[] = [];
    const { client, recorder } = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(t) } });
    const pending = client.callTool('slow');
    while (!statuses.length) await sleep(5);
    const seen: string[] = [];
    const sub = await client.subscribe({ taskIds: [String(statuses[0]!.taskId)] }, (m, p) =>
      seen.push(`${m}:${String(p.status)}`),
    );
    assert.deepEqual(sub.acknowledged, { taskIds: [String(statuses[0]!.taskId)] });
    await pending;
    await sleep(20);
    assert.ok(seen.includes('notifications/tasks:completed'), JSON.stringify(seen));
    await sub.close();
    recorder.assertClean();
  });

  it('resumes a task by id from a new client after the first one went away', async () => {
    const { s } = taskServer();
    const statuses: JsonObject[] = [];
    const first = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(t) } });
    const abandoned = first.client.callTool('slow').catch((e: unknown) => e);
    while (!statuses.length) await sleep(5);
    await first.client.close(); // the client process "restarts"; the task keeps running on the server
    assert.ok((await abandoned) instanceof TsmcpError);
    const second = await connectPair(s, { tasks: true });
    const r = await second.client.resumeTask(String(statuses[0]!.taskId));
    assert.equal(text(r), 'slow done');
    second.recorder.assertClean();
  });

  it('answers another principal’s task id like an unknown one', async () => {
    const s = new McpServer(
      { name: 't', version: '1' },
      {
        tasks: { pollIntervalMs: 20 },
        principalOf: ({ meta }) =>
          typeof meta['com.example/user'] === 'string' ? meta['com.example/user'] : undefined,
      },
    );
    s.registerTool('job', { task: 'always' }, async () => {
      await sleep(50);
      return { content: [{ type: 'text', text: 'done' }] };
    });
    const statuses: JsonObject[] = [];
    const alice = await connectPair(s, { tasks: { onstatus: (t) => statuses.push(t) } });
    const bob = await connectPair(s, { tasks: true });
    assert.equal(text(await alice.client.callTool('job', {}, { meta: { 'com.example/user': 'alice' } })), 'done');
    const id = String(statuses[0]!.taskId);
    await assert.rejects(
      bob.client.request('tasks/get', { taskId: id }, { meta: { 'com.example/user': 'bob' } }),
      (e: unknown) => e instanceof McpError && e.code === -32602 && /Unknown task/.test(e.message),
    );
    await assert.rejects(
      bob.client.request('tasks/cancel', { taskId: id }, { meta: { 'com.example/user': 'bob' } }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    assert.equal(
      (await alice.client.request('tasks/get', { taskId: id }, { meta: { 'com.example/user': 'alice' } })).status,
      'completed',
    );
  });

  it('keeps the in-memory store bounded however many tasks nobody polls', async () => {
    const { InMemoryTaskStore } = await import('../../src/extensions/tasks/index.js');
    const store = new InMemoryTaskStore({ maxTasks: 50 });
    const s = new McpServer({ name: 't', version: '1' }, { tasks: { store, pollIntervalMs: 1 } });
    s.registerTool('quick', { task: 'always' }, () => ({ content: [] }));
    const ids = new Set<string>();
    const { client } = await connectPair(s, { tasks: { onstatus: (t) => void ids.add(String(t.taskId)) } });
    for (let i = 0; i < 120; i++) await client.callTool('quick');
    assert.equal(ids.size, 120);
    assert.equal(store.size, 50);
  });
});
