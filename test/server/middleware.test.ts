// Server middleware through the public API: an onion around every request on both eras, over the memory
// pair and Streamable HTTP: order, short-circuit, errors, notifications, principal, initialize and listen.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { ErrorCode, McpError, TsmcpError } from '../../src/index.js';
import { McpServer, Server, type Middleware, type MiddlewareRequest } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { listenNode } from '../helpers/listen.js';

const clients: Client[] = [];
after(async () => {
  for (const c of clients.splice(0)) await c.close();
});
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

function demo(): McpServer {
  const s = new McpServer({ name: 'mw', version: '1' });
  s.registerTool('echo', { inputSchema: { type: 'object', properties: { x: { type: 'string' } } } }, (a) => ({
    content: [{ type: 'text', text: String(a.x) }],
  }));
  s.registerTool('progress', {}, async (_a, ctx) => {
    await ctx.progress(1, 2);
    await ctx.progress(2, 2);
    return { content: [{ type: 'text', text: 'done' }] };
  });
  s.registerTool('boom', {}, () => {
    throw new McpError(ErrorCode.InvalidParams, 'bad input');
  });
  return s;
}

async function memoryClient(server: McpServer, version?: '2025-11-25', subject?: string): Promise<Client> {
  const [ct, st] = createLinkedPair(subject ? { identity: { transport: 'memory', auth: { subject } } } : {});
  await server.connect(st);
  const client = new Client({ name: 'c', version: '1' }, version ? { version } : {});
  await client.connect(ct);
  clients.push(client);
  return client;
}

async function httpClient(server: McpServer, version?: '2025-11-25'): Promise<Client> {
  const port = await listenNode(createNodeHandler(server, { authenticate: () => ({ subject: 'http-user' }) }));
  const client = new Client({ name: 'c', version: '1' }, version ? { version } : {});
  await client.connect(new StreamableHttpClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  clients.push(client);
  return client;
}

const ERAS = [
  ['modern', undefined],
  ['legacy', '2025-11-25'],
] as const;

for (const [era, version] of ERAS) {
  describe(`server middleware, ${era} era`, () => {
    it('runs an onion of three in order around the handler (memory pair)', async () => {
      const s = demo();
      const trace: string[] = [];
      const layer =
        (name: string): Middleware =>
        async (req, next) => {
          if (req.method !== 'tools/call') return next();
          trace.push(`${name}>`);
          const r = await next();
          trace.push(`<${name}`);
          return r;
        };
      s.use(layer('a')).use(layer('b'));
      s.use(layer('c'));
      const client = await memoryClient(s, version);
      assert.equal(text(await client.callTool('echo', { x: 'hi' })), 'hi');
      assert.deepEqual(trace, ['a>', 'b>', 'c>', '<c', '<b', '<a']);
    });

    it('sees method, era, version, principal and signal (memory pair with an identity)', async () => {
      const s = demo();
      const seen: MiddlewareRequest[] = [];
      s.use(async (req, next) => (seen.push(req), next()));
      const client = await memoryClient(s, version, 'alice');
      await client.callTool('echo', { x: 'secret' });
      const call = seen.find((r) => r.method === 'tools/call')!;
      assert.equal(call.era, era);
      assert.equal(call.protocolVersion, version ?? '2026-07-28');
      assert.equal(call.principal, 'alice');
      assert.equal(call.identity.transport, 'memory');
      assert.equal(call.params.name, 'echo');
      assert.equal(call.signal.aborted, false);
      if (era === 'legacy') {
        const init = seen.find((r) => r.method === 'initialize')!;
        assert.equal(init.era, 'legacy');
        assert.equal(init.protocolVersion, undefined);
      } else {
        assert.equal(
          seen.find((r) => r.method === 'initialize'),
          undefined,
        );
        assert.ok(seen.some((r) => r.method === 'server/discover'));
      }
    });

    it('short-circuits with an error the client sees, and no handler runs (HTTP)', async () => {
      const s = demo();
      let ran = 0;
      s.registerTool('guarded', {}, () => (ran++, { content: [] }));
      s.use(async (req, next) => {
        if (req.method === 'tools/call' && req.params.name === 'guarded')
          throw new McpError(ErrorCode.InvalidRequest, `not for ${req.principal}`);
        return next();
      });
      const client = await httpClient(s, version);
      await assert.rejects(
        client.callTool('guarded'),
        (e: unknown) =>
          e instanceof McpError && e.code === ErrorCode.InvalidRequest && e.message === 'not for http-user',
      );
      assert.equal(ran, 0);
      assert.equal(text(await client.callTool('echo', { x: 'ok' })), 'ok');
    });

    it('short-circuits with a result (a cache that answers from the first result)', async () => {
      const s = demo();
      let handled = 0;
      s.registerTool('count', {}, () => ({ content: [{ type: 'text', text: String(++handled) }] }));
      const cache = new Map<string, Promise<unknown>>();
      s.use((req, next) => {
        if (req.method !== 'tools/call') return next();
        const key = JSON.stringify(req.params.name);
        if (!cache.has(key)) cache.set(key, next());
        return cache.get(key) as Promise<never>;
      });
      const client = await memoryClient(s, version);
      assert.equal(text(await client.callTool('count')), '1');
      assert.equal(text(await client.callTool('count')), '1');
      assert.equal(handled, 1);
    });

    it("sees the error of next(), translated for the request's era", async () => {
      const s = demo();
      const errors: unknown[] = [];
      s.use(async (_req, next) => {
        try {
          return await next();
        } catch (e) {
          errors.push(e);
          throw e;
        }
      });
      const client = await httpClient(s, version);
      // A tool's McpError is a JSON-RPC error; a -32601 for an unknown method likewise.
      await assert.rejects(
        client.callTool('boom'),
        (e: unknown) => e instanceof McpError && e.code === ErrorCode.InvalidParams,
      );
      await assert.rejects(
        client.request('nope/nothing', {}),
        (e: unknown) => e instanceof McpError && e.code === ErrorCode.MethodNotFound,
      );
      assert.deepEqual(
        errors.map((e) => (e as McpError).code),
        [ErrorCode.InvalidParams, ErrorCode.MethodNotFound],
      );
    });

    it("observes the request's notifications (progress)", async () => {
      const s = demo();
      const notes: string[] = [];
      s.use(async (req, next) => {
        req.onnotification((method, params) => notes.push(`${method} ${String(params.progress)}`));
        return next();
      });
      const client = await httpClient(s, version);
      const progress: number[] = [];
      await client.callTool('progress', {}, { onprogress: (p) => progress.push(p.progress) });
      assert.deepEqual(progress, [1, 2]);
      assert.deepEqual(notes, ['notifications/progress 1', 'notifications/progress 2']);
    });

    it('a notification listener that throws goes to onerror; the request and notification go on', async () => {
      const errors: unknown[] = [];
      const s = new McpServer({ name: 'mw', version: '1' }, { onerror: (e) => errors.push(e) });
      s.registerTool('progress', {}, async (_a, ctx) => (await ctx.progress(1), { content: [] }));
      s.use(async (req, next) => {
        req.onnotification(() => {
          throw new Error('listener bug');
        });
        return next();
      });
      const client = await memoryClient(s, version);
      const progress: number[] = [];
      await client.callTool('progress', {}, { onprogress: (p) => progress.push(p.progress) });
      assert.deepEqual(progress, [1]);
      assert.deepEqual(
        errors.map((e) => (e as Error).message),
        ['listener bug'],
      );
    });

    it('an unexpected throw in a middleware is -32603 to the client and goes to onerror', async () => {
      const errors: unknown[] = [];
      const s = new McpServer({ name: 'mw', version: '1' }, { onerror: (e) => errors.push(e) });
      s.registerTool('t', {}, () => ({ content: [] }));
      s.use((req, next) => {
        if (req.method === 'tools/call') throw new Error('middleware bug'); // not async: a synchronous throw
        return next();
      });
      const client = await memoryClient(s, version);
      await assert.rejects(
        client.callTool('t'),
        (e: unknown) => e instanceof McpError && e.code === ErrorCode.InternalError,
      );
      assert.deepEqual(
        errors.map((e) => (e as Error).message),
        ['middleware bug'],
      );
    });

    it('next() called twice rejects with TSMCP_MIDDLEWARE and the handler runs once', async () => {
      const errors: unknown[] = [];
      const s = new McpServer({ name: 'mw', version: '1' }, { onerror: (e) => errors.push(e) });
      let ran = 0;
      s.registerTool('t', {}, () => (ran++, { content: [] }));
      s.use(async (req, next) => {
        if (req.method !== 'tools/call') return next();
        await next();
        return next();
      });
      const client = await memoryClient(s, version);
      await assert.rejects(
        client.callTool('t'),
        (e: unknown) => e instanceof McpError && e.code === ErrorCode.InternalError,
      );
      assert.equal(ran, 1);
      assert.ok(errors.some((e) => e instanceof TsmcpError && e.code === 'TSMCP_MIDDLEWARE'));
    });
  });
}

describe('server middleware and long-lived requests', () => {
  it('wraps subscriptions/listen for its whole life and sees its notifications', async () => {
    const s = demo();
    const log: string[] = [];
    s.use(async (req, next) => {
      if (req.method !== 'subscriptions/listen') return next();
      log.push('listen>');
      req.onnotification((method) => log.push(method));
      const r = await next();
      log.push(`<listen ${String(r.resultType)}`);
      return r;
    });
    const client = await memoryClient(s);
    const events: string[] = [];
    const sub = await client.subscribe({ toolsListChanged: true }, (m) => events.push(m));
    s.registerTool('late', {}, () => ({ content: [] }));
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(events, ['notifications/tools/list_changed']);
    assert.deepEqual(log, ['listen>', 'notifications/subscriptions/acknowledged', 'notifications/tools/list_changed']);
    await sub.close();
    for (let i = 0; i < 50 && log.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(log.slice(3), ['<listen complete']);
  });

  it('a low-level Server takes middleware too, and use() returns the server for chaining', async () => {
    const s = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } });
    s.setRequestHandler('tools/list', () => ({ tools: [] }));
    const seen: string[] = [];
    assert.equal(
      s.use(async (req, next) => (seen.push(req.method), next())),
      s,
    );
    const r = await s.dispatch(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      },
      { identity: { transport: 'test' }, legacy: undefined, openLegacy: () => {}, notify: async () => {} },
      new AbortController().signal,
    );
    assert.deepEqual(r.tools, []);
    assert.deepEqual(seen, ['tools/list']);
  });
});
