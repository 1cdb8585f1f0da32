// Experimental (2025-11-25) tasks are bound to who created them: the principal when `principalOf` gives
// one, else the legacy session (HTTP session or connection). Another owner's id is answered like an unknown one.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError, type JsonObject } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { enableExperimentalTasks } from '../../src/experimental/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { connectPair } from '../helpers/pair.js';

const USER = 'com.example/user';
const as = (user?: string) => (user ? { meta: { [USER]: user } } : {});

function server(withPrincipal: boolean) {
  const s = new McpServer(
    { name: 'iso', version: '1' },
    {
      tasks: { pollIntervalMs: 5 },
      ...(withPrincipal
        ? { principalOf: ({ meta }) => (typeof meta[USER] === 'string' ? meta[USER] : undefined) }
        : {}),
    },
  );
  s.registerTool(
    'secret',
    { task: 'optional', inputSchema: { type: 'object', properties: { who: { type: 'string' } } } },
    (args) => ({ content: [{ type: 'text', text: `secret of ${String((args as { who?: string }).who)}` }] }),
  );
  enableExperimentalTasks(s);
  return s;
}

/** Create a task as `user` and wait until it completed; returns its id. */
async function makeTask(client: Client, user: string | undefined): Promise<string> {
  const created = await client.request(
    'tools/call',
    { name: 'secret', arguments: { who: user ?? 'anon' }, task: {} },
    as(user),
  );
  const taskId = String((created.task as JsonObject).taskId);
  for (let i = 0; i < 200 && (await client.request('tasks/get', { taskId }, as(user))).status !== 'completed'; i++)
    await new Promise((r) => setTimeout(r, 5));
  return taskId;
}

/** Everything another owner can ask about `taskId` fails exactly as for an id that never existed. */
async function assertForeign(client: Client, taskId: string, user: string | undefined) {
  const list = await client.request('tasks/list', {}, as(user));
  assert.ok(!(list.tasks as JsonObject[]).some((t) => t.taskId === taskId), 'tasks/list shows a foreign task');
  for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
    const unknown = await client.request(method, { taskId: 'no-such-task' }, as(user)).then(
      () => undefined,
      (e: unknown) => e,
    );
    const foreign = await client.request(method, { taskId }, as(user)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(unknown instanceof McpError && foreign instanceof McpError, `${method} answered a foreign task`);
    assert.deepEqual(
      { code: foreign.code, message: foreign.message.replace(taskId, 'no-such-task'), data: foreign.data },
      { code: unknown.code, message: unknown.message, data: unknown.data },
      method,
    );
  }
}

describe('experimental tasks are bound to their owner', () => {
  it('with principalOf: bob sees nothing of alice’s task; alice sees it from another session', async () => {
    const s = server(true);
    const a = await connectPair(s, { version: '2025-11-25' });
    const b = await connectPair(s, { version: '2025-11-25' });
    const id = await makeTask(a.client, 'alice');
    await assertForeign(b.client, id, 'bob');
    await assertForeign(a.client, id, 'bob'); // bob's claim on alice's own connection: the principal decides
    const again = await connectPair(s, { version: '2025-11-25' });
    assert.deepEqual(
      ((await again.client.request('tasks/list', {}, as('alice'))).tasks as JsonObject[]).map((t) => t.taskId),
      [id],
    );
    const r = await again.client.request('tasks/result', { taskId: id }, as('alice'));
    assert.equal((r.content as { text: string }[])[0]!.text, 'secret of alice');
  });

  it('without a principal: bound to the in-memory connection, invisible to the modern wire', async () => {
    const s = server(false);
    const a = await connectPair(s, { version: '2025-11-25' });
    const b = await connectPair(s, { version: '2025-11-25' });
    const id = await makeTask(a.client, undefined);
    await assertForeign(b.client, id, undefined);
    assert.equal(((await a.client.request('tasks/list', {})).tasks as JsonObject[]).length, 1);
    const modern = await connectPair(s, { tasks: true });
    await assert.rejects(
      modern.client.request('tasks/get', { taskId: id }, { noCache: true }),
      (e: unknown) => e instanceof McpError && e.code === -32602 && /Unknown task/.test(e.message),
    );
  });

  let http: HttpServer | undefined;
  after(() => {
    http?.closeAllConnections();
    http?.close();
  });

  it('without a principal: bound to the legacy HTTP session', async () => {
    http = createServer(createNodeHandler(server(false)));
    const url = await new Promise<URL>((resolve) =>
      http!.listen(0, '127.0.0.1', () =>
        resolve(new URL(`http://127.0.0.1:${(http!.address() as { port: number }).port}/mcp`)),
      ),
    );
    const connect = async () => {
      const c = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
      await c.connect(new StreamableHttpClientTransport(url));
      return c;
    };
    const a = await connect();
    const b = await connect();
    const id = await makeTask(a, undefined);
    await assertForeign(b, id, undefined);
    const r = await a.request('tasks/result', { taskId: id });
    assert.equal((r.content as { text: string }[])[0]!.text, 'secret of anon');
    await a.close();
    await b.close();
  });

  it('without a principal: the session’s running tasks are stopped when the session ends', async () => {
    const s = server(false);
    let aborted = 0;
    s.registerTool(
      'hang',
      { task: 'optional', inputSchema: { type: 'object' } },
      (_a, ctx) =>
        new Promise((resolve) =>
          ctx.signal.addEventListener('abort', () => (aborted++, resolve({ content: [] })), { once: true }),
        ),
    );
    const a = await connectPair(s, { version: '2025-11-25' });
    const keep = await connectPair(s, { version: '2025-11-25' });
    await a.client.request('tools/call', { name: 'hang', arguments: {}, task: {} });
    await keep.client.request('tools/call', { name: 'hang', arguments: {}, task: {} });
    assert.equal(s.tasks!.running, 2);
    await a.client.close();
    for (let i = 0; i < 200 && s.tasks!.running > 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(aborted, 1, 'the ended session’s task saw its signal');
    assert.equal(s.tasks!.running, 1, 'the other session’s task runs on');
    await keep.client.close();
  });
});
