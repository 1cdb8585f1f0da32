// Who a request is from comes from the transport (an auth layer, HTTP, the stdio process), never from the
// client-written `_meta`: principals bind multi round-trip state and tasks to the verified caller.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { Client } from '../../src/entries/client.js';
import { McpError, type AuthInfo, type JsonObject } from '../../src/index.js';
import { McpServer, type RequestContext } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { mcpExpress } from '../../src/transports/http/adapters/express.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';

const TOKENS: { [token: string]: string } = { 'alice-token': 'alice', 'bob-token': 'bob' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function whoami(ctx: RequestContext): JsonObject {
  const id = ctx.identity;
  return {
    transport: id.transport,
    subject: id.auth?.subject ?? null,
    header: id.header?.('x-probe') ?? null,
    hasAddress: typeof id.remoteAddress === 'string',
    pid: id.process?.pid ?? null,
  };
}

function identityServer(): McpServer {
  const s = new McpServer({ name: 'who', version: '1' }, { tasks: { pollIntervalMs: 10 } });
  s.registerTool('whoami', { inputSchema: { type: 'object' } }, (_a, ctx) => ({
    content: [{ type: 'text', text: JSON.stringify(whoami(ctx)) }],
  }));
  s.registerTool('confirm', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
    const r = await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object', properties: {} } });
    return { content: [{ type: 'text', text: `${r.action} for ${ctx.identity.auth?.subject}` }] };
  });
  s.registerTool('job', { task: 'always', inputSchema: { type: 'object' } }, async () => {
    await sleep(30);
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return s;
}

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('request identity', () => {
  let http: HttpServer;
  let url: string;
  before(async () => {
    http = createServer(
      createNodeHandler(identityServer(), {
        authenticate: (req) => {
          const h = req.header('authorization');
          if (h === undefined) return undefined; // anonymous callers are allowed in this test server
          const subject = TOKENS[h.replace(/^Bearer /, '')];
          if (!subject) throw new Error('bad token');
          return { subject, token: h.slice(7) } satisfies AuthInfo;
        },
      }),
    );
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  const connect = async (token: string | undefined, options: { version?: 'legacy' } = {}) => {
    const client = new Client(
      { name: 'c', version: '1' },
      {
        ...(options.version ? { version: options.version } : {}),
        tasks: true,
        handlers: { elicitation: () => ({ action: 'accept', content: {} }) },
      },
    );
    await client.connect(
      new StreamableHttpClientTransport(url, {
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-probe': 'p1' },
      }),
    );
    return client;
  };

  it('gives handlers the verified caller over HTTP (authenticate option), both eras', async () => {
    for (const version of [undefined, 'legacy'] as const) {
      const c = await connect('alice-token', version ? { version } : {});
      const w = JSON.parse(text(await c.callTool('whoami')));
      assert.deepEqual(w, { transport: 'http', subject: 'alice', header: 'p1', hasAddress: true, pid: null });
      await c.close();
    }
  });

  it('answers 401 when authenticate refuses, and keeps serving', async () => {
    const r = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: 'Bearer forged',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{}',
    });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { error: { code: number } }).error.code, -32600);
    const c = await connect('bob-token');
    assert.equal(JSON.parse(text(await c.callTool('whoami'))).subject, 'bob');
    await c.close();
  });

  it('a _meta claim cannot take over another principal’s task (default principal = auth subject)', async () => {
    const alice = await connect('alice-token');
    const bob = await connect('bob-token');
    const statuses: string[] = [];
    const a2 = new Client({ name: 'c', version: '1' }, {
      tasks: { onstatus: (t: JsonObject) => statuses.push(String(t.taskId)) },
    } as never);
    await a2.connect(new StreamableHttpClientTransport(url, { headers: { authorization: 'Bearer alice-token' } }));
    assert.equal(text(await a2.callTool('job')), 'done');
    const id = statuses[0]!;
    // Bob writes alice into every _meta field a naive principalOf might read: still not alice.
    const claim = { meta: { 'com.example/user': 'alice', principal: 'alice', sub: 'alice' } };
    await assert.rejects(
      bob.request('tasks/get', { taskId: id }, claim),
      (e: unknown) => e instanceof McpError && /Unknown task/.test(e.message),
    );
    assert.equal((await alice.request('tasks/get', { taskId: id })).status, 'completed');
    for (const c of [alice, bob, a2]) await c.close();
  });

  it('binds multi round-trip state to the verified principal, not to _meta', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
    };
    const post = async (token: string, params: JsonObject) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': 'confirm',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'confirm', arguments: {}, _meta: meta, ...params },
        }),
      });
      return (await r.json()) as { result?: JsonObject; error?: { code: number; message: string } };
    };
    const first = await post('alice-token', {});
    const state = first.result!.requestState as string;
    const key = Object.keys(first.result!.inputRequests as JsonObject)[0]!;
    const answers = { inputResponses: { [key]: { action: 'accept', content: {} } }, requestState: state };
    const stolen = await post('bob-token', answers);
    assert.equal(stolen.error?.code, -32602, 'state issued to alice is refused for bob');
    const own = await post('alice-token', answers);
    assert.equal(((own.result!.content as JsonObject[])[0] as { text: string }).text, 'accept for alice');
  });

  it('binds a legacy session to the principal that opened it: its id alone is not a credential', async () => {
    const headers = (token: string | undefined, session?: string) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
    });
    const init = await fetch(url, {
      method: 'POST',
      headers: headers('alice-token'),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } },
      }),
    });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    for (const thief of ['bob-token', undefined]) {
      assert.equal(
        (await fetch(url, { method: 'POST', headers: headers(thief, session), body: list })).status,
        404,
        `POST as ${thief ?? 'anonymous'}`,
      );
      assert.equal(
        (await fetch(url, { method: 'GET', headers: { ...headers(thief, session), accept: 'text/event-stream' } }))
          .status,
        404,
        `GET as ${thief ?? 'anonymous'}`,
      );
      assert.equal(
        (await fetch(url, { method: 'DELETE', headers: headers(thief, session) })).status,
        404,
        `DELETE as ${thief ?? 'anonymous'}`,
      );
    }
    const own = await fetch(url, { method: 'POST', headers: headers('alice-token', session), body: list });
    assert.equal(own.status, 200, 'the session survived the attempts');
    await own.text();
    assert.equal((await fetch(url, { method: 'DELETE', headers: headers('alice-token', session) })).status, 200);
  });

  it('takes req.auth from an authentication middleware in front (Express)', async () => {
    const app = express();
    app.use((req: IncomingMessage & { auth?: AuthInfo }, _res: ServerResponse, next: () => void) => {
      req.auth = { subject: 'carol', scopes: ['mcp'] };
      next();
    });
    app.all('/mcp', mcpExpress(identityServer()));
    const srv = app.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    try {
      const c = new Client({ name: 'c', version: '1' });
      await c.connect(
        new StreamableHttpClientTransport(`http://127.0.0.1:${(srv.address() as { port: number }).port}/mcp`),
      );
      assert.equal(JSON.parse(text(await c.callTool('whoami'))).subject, 'carol');
      await c.close();
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it('a credential with a client id and no subject is its own principal, not the anonymous one', async () => {
    const server = identityServer();
    const connectAs = async (auth: AuthInfo | undefined) => {
      const [clientSide, serverSide] = createLinkedPair({
        identity: { transport: 'memory', ...(auth ? { auth } : {}) },
      });
      await server.connect(serverSide);
      const statuses: string[] = [];
      const c = new Client({ name: 'c', version: '1' }, {
        tasks: { onstatus: (t: JsonObject) => statuses.push(String(t.taskId)) },
      } as never);
      await c.connect(clientSide);
      return { c, statuses };
    };
    const a = await connectAs({ clientId: 'svc-a' });
    const b = await connectAs({ clientId: 'svc-b' });
    const anon = await connectAs(undefined);
    assert.equal(text(await a.c.callTool('job')), 'done');
    const id = a.statuses[0]!;
    for (const other of [b.c, anon.c])
      await assert.rejects(
        other.request('tasks/get', { taskId: id }),
        (e: unknown) => e instanceof McpError && /Unknown task/.test(e.message),
      );
    assert.equal((await a.c.request('tasks/get', { taskId: id })).status, 'completed');
    for (const c of [a.c, b.c, anon.c]) await c.close();
  });

  it('memory pair: the server side carries the identity a test gives it', async () => {
    const [clientSide, serverSide] = createLinkedPair({ identity: { transport: 'memory', auth: { subject: 'dave' } } });
    await identityServer().connect(serverSide);
    const c = new Client({ name: 'c', version: '1' });
    await c.connect(clientSide);
    assert.deepEqual(JSON.parse(text(await c.callTool('whoami'))), {
      transport: 'memory',
      subject: 'dave',
      header: null,
      hasAddress: false,
      pid: null,
    });
    await c.close();
  });

  it('stdio: the caller is the parent process', async () => {
    const c = new Client({ name: 'c', version: '1' });
    await c.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [new URL('../fixtures/tsmcp-stdio-server.js', import.meta.url).pathname],
      }),
    );
    const w = JSON.parse(text(await c.callTool('test_whoami')));
    assert.equal(w.transport, 'stdio');
    assert.equal(w.subject, null);
    assert.equal(typeof w.pid, 'number');
    assert.equal(w.pid, process.pid, 'the server sees the process that spawned it');
    await c.close();
  });
});
