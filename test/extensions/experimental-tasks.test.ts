// 2025-11-25 experimental tasks through the deprecated tsmcp/experimental entry points: params.task,
// nested CreateTaskResult, tasks/get|result|list|cancel, and the deprecation warning (once).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError, TsmcpError } from '../../src/index.js';
import { McpServer, ToolError } from '../../src/entries/server.js';
import { callToolAsExperimentalTask, enableExperimentalTasks } from '../../src/experimental/index.js';
import { connectPair } from '../helpers/pair.js';

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

function server() {
  const s = new McpServer({ name: 'exp', version: '1' }, { tasks: { pollIntervalMs: 20 } });
  s.registerTool('slow', { task: 'always' }, async () => {
    await new Promise((r) => setTimeout(r, 80));
    return { content: [{ type: 'text', text: 'slow done' }] };
  });
  s.registerTool('ask', { task: 'optional' }, async (_a, ctx) => {
    const r = await ctx.elicit({
      message: 'name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    return { content: [{ type: 'text', text: `hi ${String(r.content?.name)}` }] };
  });
  s.registerTool('failing', { task: 'optional' }, () => {
    throw new ToolError('nope');
  });
  s.registerTool('crashing', { task: 'optional' }, () => {
    throw new McpError(-32602, 'bad input for the job');
  });
  enableExperimentalTasks(s);
  return s;
}

describe('experimental tasks (2025-11-25, deprecated)', () => {
  const warnings: Error[] = [];
  const on = (w: Error) => warnings.push(w);
  before(() => process.on('warning', on));
  after(() => process.off('warning', on));

  it('runs a task-augmented call through tasks/get and tasks/result, schema-clean at 2025-11-25', async () => {
    const { client, recorder } = await connectPair(server(), {
      version: '2025-11-25',
      handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) },
    });
    assert.deepEqual((client.serverCapabilities as { tasks?: unknown }).tasks, {
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const tools = await client.listAllTools();
    assert.deepEqual((tools.find((t) => t.name === 'slow') as { execution?: unknown }).execution, {
      taskSupport: 'required',
    });
    const r = await callToolAsExperimentalTask(client, 'slow', {}, { ttl: 60_000 });
    assert.equal(text(r), 'slow done');
    const related = (r._meta as Record<string, { taskId?: unknown }>)['io.modelcontextprotocol/related-task'];
    assert.equal(typeof related?.taskId, 'string');
    assert.match(String(related?.taskId), /^[0-9a-f]{32}$/);
    assert.equal(text(await callToolAsExperimentalTask(client, 'ask')), 'hi Ada');
    assert.equal((await callToolAsExperimentalTask(client, 'failing')).isError, true);
    await assert.rejects(
      callToolAsExperimentalTask(client, 'crashing'),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    const list = await client.request('tasks/list', {});
    assert.equal((list.tasks as unknown[]).length, 4);
    const done = (list.tasks as { taskId: string }[])[0]!.taskId;
    await assert.rejects(
      client.request('tasks/cancel', { taskId: done }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    await assert.rejects(
      client.request('tasks/get', { taskId: 'nope' }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    await assert.rejects(
      client.callTool('slow'),
      (e: unknown) => e instanceof McpError && e.code === -32601,
      'a required-task tool without params.task',
    );
    recorder.assertClean();
  });

  it('cancels a running experimental task', async () => {
    const { client } = await connectPair(server(), { version: '2025-11-25' });
    const ac = new AbortController();
    const p = callToolAsExperimentalTask(client, 'slow', {}, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
  });

  it('stays out of the modern era', async () => {
    const { client } = await connectPair(server());
    await assert.rejects(
      client.request('tasks/result', { taskId: 'x' }),
      (e: unknown) => e instanceof McpError && e.code === -32601,
    );
    await assert.rejects(client.request('tasks/list', {}), (e: unknown) => e instanceof McpError && e.code === -32601);
  });

  it('warned once, with TSMCP_DEP002', () => {
    const dep = warnings.filter((w) => (w as { code?: string }).code === 'TSMCP_DEP002');
    assert.equal(dep.length, 1);
    assert.match(dep[0]!.message, /tasks extension/);
  });
});
