// Client middleware through the public API: around outgoing requests (order, rewriting, short-circuit,
// errors) on both eras, and fetch middleware around the HTTP client transport's exchanges.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client, composeFetch, type ClientMiddleware, type FetchMiddleware } from '../../src/entries/client.js';
import { ErrorCode, McpError, TsmcpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
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
  // Echoes the trace key of the call's _meta, to show a middleware can propagate context.
  s.registerTool('trace', {}, (_a, ctx) => ({
    content: [{ type: 'text', text: String(ctx.meta['com.example/trace']) }],
  }));
  s.registerTool('echo', { inputSchema: { type: 'object', properties: { x: { type: 'string' } } } }, (a) => ({
    content: [{ type: 'text', text: String(a.x) }],
  }));
  return s;
}

async function memoryClient(
  server: McpServer,
  version: '2025-11-25' | undefined,
  mws: ClientMiddleware[],
): Promise<Client> {
  const [ct, st] = createLinkedPair();
  await server.connect(st);
  const client = new Client({ name: 'c', version: '1' }, version ? { version } : {});
  for (const m of mws) client.use(m);
  await client.connect(ct);
  clients.push(client);
  return client;
}

for (const [era, version] of [
  ['modern', undefined],
  ['legacy', '2025-11-25'],
] as const) {
  describe(`client middleware, ${era} era`, () => {
    it('runs an onion of three in order around each request', async () => {
      const trace: string[] = [];
      const layer =
        (name: string): ClientMiddleware =>
        async (req, next) => {
          trace.push(`${name}> ${req.method}`);
          const r = await next();
          trace.push(`<${name}`);
          return r;
        };
      const client = await memoryClient(demo(), version, [layer('a'), layer('b'), layer('c')]);
      assert.equal(text(await client.callTool('echo', { x: 'hi' })), 'hi');
      assert.deepEqual(trace, ['a> tools/call', 'b> tools/call', 'c> tools/call', '<c', '<b', '<a']);
    });

    it('rewrites options (propagated _meta) and params before next()', async () => {
      const client = await memoryClient(demo(), version, [
        (req, next) => {
          req.options = { ...req.options, meta: { ...req.options.meta, 'com.example/trace': 't-1' } };
          return next();
        },
        (req, next) => {
          if (req.method === 'tools/call' && req.params.name === 'echo')
            req.params = { ...req.params, arguments: { x: 'rewritten' } };
          return next();
        },
      ]);
      assert.equal(text(await client.callTool('trace')), 't-1');
      assert.equal(text(await client.callTool('echo', { x: 'original' })), 'rewritten');
    });

    it('short-circuits: nothing is sent', async () => {
      const s = demo();
      let calls = 0;
      s.registerTool('count', {}, () => (calls++, { content: [] }));
      const client = await memoryClient(s, version, [
        async (req, next) => (req.method === 'tools/call' ? { content: [{ type: 'text', text: 'local' }] } : next()),
      ]);
      assert.equal(text(await client.callTool('count')), 'local');
      assert.equal(calls, 0);
    });

    it("sees the server's error and local errors", async () => {
      const seen: unknown[] = [];
      const client = await memoryClient(demo(), version, [
        async (_req, next) => {
          try {
            return await next();
          } catch (e) {
            seen.push(e);
            throw e;
          }
        },
      ]);
      await assert.rejects(
        client.request('nope/nothing', {}),
        (e: unknown) => e instanceof McpError && e.code === ErrorCode.MethodNotFound,
      );
      await assert.rejects(
        client.request('tools/list', { _meta: { 'io.modelcontextprotocol/x': 1 } }),
        (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_META',
      );
      assert.equal(seen.length, 2);
    });

    it('next() called twice rejects with TSMCP_MIDDLEWARE', async () => {
      const client = await memoryClient(demo(), version, [
        async (_req, next) => {
          await next();
          return next();
        },
      ]);
      await assert.rejects(
        client.callTool('echo', { x: '1' }),
        (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_MIDDLEWARE',
      );
    });
  });
}

describe('fetch middleware on the HTTP client transport', () => {
  for (const version of [undefined, '2025-11-25'] as const) {
    it(`wraps every exchange in order and can add headers (${version ?? 'modern'})`, async () => {
      const s = demo();
      s.registerTool('who', {}, (_a, ctx) => ({
        content: [{ type: 'text', text: String(ctx.identity.header?.('x-tenant')) }],
      }));
      const port = await listenNode(createNodeHandler(s));
      const order: string[] = [];
      const log: FetchMiddleware = async (input, init, next) => {
        order.push(`log> ${init?.method}`);
        const res = await next(input, init);
        order.push(`<log ${res.status}`);
        return res;
      };
      const tenant: FetchMiddleware = (input, init, next) => {
        order.push('tenant');
        return next(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-tenant': 'acme' } });
      };
      const client = new Client({ name: 'c', version: '1' }, version ? { version } : {});
      await client.connect(
        new StreamableHttpClientTransport(`http://127.0.0.1:${port}/mcp`, {
          fetchMiddleware: [log, tenant],
          getStream: false,
        }),
      );
      clients.push(client);
      order.length = 0;
      assert.equal(text(await client.callTool('who')), 'acme');
      assert.deepEqual(order, ['log> POST', 'tenant', '<log 200']);
    });
  }

  it('composeFetch runs middleware around any fetch, and may call next twice (a retry)', async () => {
    let calls = 0;
    const base = async () => new Response(null, { status: ++calls === 1 ? 503 : 200 });
    const retry: FetchMiddleware = async (input, init, next) => {
      const res = await next(input, init);
      return res.status === 503 ? next(input, init) : res;
    };
    const f = composeFetch(base, retry);
    assert.equal((await f('http://127.0.0.1:1/x')).status, 200);
    assert.equal(calls, 2);
  });
});
