// Legacy (2025-11-25) sessions without affinity: three instances (own McpServer, node handler and Redis
// connection) share sessions and events through one throwaway redis-server; clients reach them through a
// round-robin fetch, so every request lands on the next instance.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client } from '../../../src/entries/client.js';
import { McpServer } from '../../../src/entries/server.js';
import { RedisConnection, RedisEventStore, RedisSessionStore } from '../../../src/stores/redis/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { createNodeHandler } from '../../../src/transports/http/node.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

/** Per instance: resolves when its `slow` tool was cancelled. */
const cancelled = new Map<string, () => void>();

interface Instance {
  name: string;
  url: string;
  server: McpServer;
  conn: RedisConnection;
  events: RedisEventStore;
  sessions: RedisSessionStore;
  http: HttpServer;
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function startInstance(name: string, redisUrl: string): Promise<Instance> {
  const conn = await RedisConnection.connect({ url: redisUrl, prefix: 'ls:', maxReconnectDelayMs: 100 });
  const sessionStore = await RedisSessionStore.connect(conn, { serverRequestTimeoutMs: 20_000 });
  const events = new RedisEventStore(conn);
  const server = new McpServer({ name: 'fleet', version: '1' }, { capabilities: { logging: {} } });
  server.registerTool('whoami', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
    await ctx.log('info', `info from ${name}`);
    return { content: [{ type: 'text', text: name }] };
  });
  server.registerTool('ask', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
    const r = await ctx.elicit({
      message: 'Name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    const who = (r as { content?: { name?: string } }).content?.name;
    return { content: [{ type: 'text', text: `${r.action}:${who}@${name}` }] };
  });
  server.registerTool('slow', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 20_000);
      ctx.signal.addEventListener('abort', () => (clearTimeout(t), cancelled.get(name)?.(), resolve()), { once: true });
    });
    return { content: [] };
  });
  const handler = createNodeHandler(server, {
    sessionStore,
    eventStore: events,
    allowedHosts: ['127.0.0.1'],
    authenticate: (r) => {
      const token = r.header('authorization')?.replace(/^Bearer /, '');
      return token ? { token, subject: token, scopes: [] } : undefined;
    },
  });
  const http = createServer(handler);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  return { name, url, server, conn, events, sessions: sessionStore, http };
}

describe('legacy sessions across a fleet (Redis)', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let fleet: Instance[];
  before(async () => {
    redis = await startRedis();
    fleet = [];
    for (const n of ['i0', 'i1', 'i2']) fleet.push(await startInstance(n, redis.url));
  });
  after(async () => {
    for (const i of fleet ?? []) {
      i.http.closeAllConnections();
      await new Promise((r) => i.http.close(r));
      await i.conn.close();
    }
    await redis?.close();
  });

  /** Round-robin: each POST and DELETE to the next instance, GETs on their own turn; logs where each went. */
  function roundRobin(principal: string) {
    const log: { instance: number; method: string; body: unknown }[] = [];
    let posts = 0;
    let gets = 0;
    const f = (async (_input: unknown, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const instance = method === 'GET' ? gets++ % 3 : posts++ % 3;
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${principal}`);
      log.push({ instance, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
      return fetch(fleet[instance]!.url, { ...init, headers });
    }) as typeof fetch;
    return { fetch: f, log };
  }

  function raw(
    instance: number,
    init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal },
  ) {
    return fetch(fleet[instance]!.url, {
      method: init.method ?? 'POST',
      headers: { ...HEADERS, ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  }

  async function openRaw(instance: number, principal: string): Promise<Record<string, string>> {
    const auth = { authorization: `Bearer ${principal}` };
    const init = await raw(instance, { headers: auth, body: INIT });
    assert.equal(init.status, 200);
    await init.text();
    const h = { ...auth, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    const note = await raw((instance + 1) % 3, {
      headers: h,
      body: { jsonrpc: '2.0', method: 'notifications/initialized' },
    });
    assert.equal(note.status, 202);
    return h;
  }

  it('tsmcp client (legacy): one initialize, then every call round-robins and works; an elicitation answered on another instance', async () => {
    const rr = roundRobin('alice');
    const logs: string[] = [];
    const client = new Client(
      { name: 'c', version: '1' },
      {
        version: 'legacy',
        onlog: (p) => logs.push(String(p.data)),
        handlers: { elicitation: async () => ({ action: 'accept', content: { name: 'Ada' } }) },
      },
    );
    await client.connect(new StreamableHttpClientTransport(fleet[0]!.url, { fetch: rr.fetch }));
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await client.callTool('whoami');
      seen.add((r.content[0] as { text: string }).text);
    }
    assert.deepEqual([...seen].sort(), ['i0', 'i1', 'i2']);
    assert.deepEqual([...new Set(logs)].sort(), ['info from i0', 'info from i1', 'info from i2']);
    // The log level set on one instance holds on every instance.
    await client.setLoggingLevel('error');
    logs.length = 0;
    for (let i = 0; i < 3; i++) await client.callTool('whoami');
    assert.deepEqual(logs, []);
    for (let i = 0; i < 3; i++) {
      const asked = await client.callTool('ask');
      assert.match((asked.content[0] as { text: string }).text, /^accept:Ada@i\d$/);
    }
    const posts = rr.log.filter((x) => x.method === 'POST');
    assert.equal(posts.filter((x) => (x.body as { method?: string }).method === 'initialize').length, 1);
    // Each answer went to another instance than the call that asked.
    const answers = posts.filter((x) => (x.body as { result?: unknown }).result !== undefined);
    assert.equal(answers.length, 3);
    for (const a of answers) {
      const call = posts[posts.indexOf(a) - 1]!;
      assert.equal((call.body as { params?: { name?: string } }).params?.name, 'ask');
      assert.notEqual(a.instance, call.instance);
    }
    await client.close();
  });

  it('official v2 client (legacy): calls and an elicitation work across the instances', async () => {
    const rr = roundRobin('bob');
    const c = new V2Client(
      { name: 'official-v2', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
    );
    c.setRequestHandler('elicitation/create', async () => ({ action: 'accept' as const, content: { name: 'Bo' } }));
    await c.connect(new V2Http(new URL(fleet[0]!.url), { fetch: rr.fetch }));
    const x = c as unknown as {
      callTool(p: { name: string; arguments: object }): Promise<{ content: { text: string }[] }>;
    };
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await x.callTool({ name: 'whoami', arguments: {} })).content[0]!.text);
    assert.deepEqual([...seen].sort(), ['i0', 'i1', 'i2']);
    for (let i = 0; i < 2; i++)
      assert.match((await x.callTool({ name: 'ask', arguments: {} })).content[0]!.text, /^accept:Bo@i\d$/);
    await c.close();
  });

  it('DELETE on one instance ends the session on all: their requests get 404, a GET stream elsewhere ends', async () => {
    const h = await openRaw(0, 'carol');
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    for (const i of [1, 2]) assert.equal((await raw(i, { headers: h, body: call })).status, 200);
    const get = await raw(2, { method: 'GET', headers: { ...h, accept: 'text/event-stream' } });
    assert.equal(get.status, 200);
    assert.equal((await raw(0, { method: 'DELETE', headers: h })).status, 200);
    // The GET stream on instance 2 ends (the store told every instance); reading it to its end is bounded by that.
    await get.text();
    for (const i of [0, 1, 2]) assert.equal((await raw(i, { headers: h, body: call })).status, 404, `instance ${i}`);
  });

  it('a session id of another principal is 404 on every instance, and the session is unharmed', async () => {
    const h = await openRaw(0, 'dave');
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    for (const i of [0, 1, 2]) {
      const r = await raw(i, { headers: { ...h, authorization: 'Bearer mallory' }, body: call });
      assert.equal(r.status, 404, `instance ${i}`);
      const anon = await raw(i, { headers: { ...h, authorization: '' }, body: call });
      assert.equal(anon.status, 404, `anonymous on instance ${i}`);
    }
    assert.equal((await raw(2, { headers: h, body: call })).status, 200);
  });

  it('a GET stream dropped on one instance resumes on another with Last-Event-ID: every missed event, nothing of another session', async () => {
    const h = await openRaw(0, 'erin');
    const other = await openRaw(0, 'erin');
    const drop = new AbortController();
    const get = await raw(0, { method: 'GET', headers: { ...h, accept: 'text/event-stream' }, signal: drop.signal });
    assert.equal(get.status, 200);
    const reader = get.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const ids: string[] = [];
    const readEvents = async (n: number) => {
      while (ids.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const id = /^id: (.*)$/m.exec(buf.slice(0, i))?.[1];
          if (id) ids.push(id);
          buf = buf.slice(i + 2);
        }
      }
    };
    await readEvents(1); // the priming event
    fleet[0]!.server.registerTool('extra1', { inputSchema: { type: 'object' } }, () => ({ content: [] }));
    await readEvents(2);
    drop.abort();
    await reader.cancel().catch(() => {});
    // Raised while the client is away: kept (in Redis) for it.
    fleet[0]!.server.registerTool('extra2', { inputSchema: { type: 'object' } }, () => ({ content: [] }));
    fleet[0]!.server.registerTool('extra3', { inputSchema: { type: 'object' } }, () => ({ content: [] }));
    await fleet[0]!.events.flush();
    const resumed = await raw(1, {
      method: 'GET',
      headers: { ...h, accept: 'text/event-stream', 'last-event-id': ids[1]! },
    });
    assert.equal(resumed.status, 200);
    // The resumed GET stream stays open on instance 1 (adopted): an event raised there reaches the client.
    const rr = resumed.body!.getReader();
    let text = '';
    const dataLines = () => [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!).method);
    const readData = async (n: number) => {
      while (dataLines().length < n) {
        const { value, done } = await rr.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
    };
    await readData(2);
    assert.deepEqual(dataLines(), ['notifications/tools/list_changed', 'notifications/tools/list_changed']);
    fleet[1]!.server.registerTool('extra4', { inputSchema: { type: 'object' } }, () => ({ content: [] }));
    await readData(3);
    assert.equal(dataLines().length, 3);
    await rr.cancel().catch(() => {});
    // The other session (same principal) cannot resume from this session's event id.
    const foreign = await raw(2, {
      method: 'GET',
      headers: { ...other, accept: 'text/event-stream', 'last-event-id': ids[1]! },
    });
    assert.equal(foreign.status, 400);
  });

  it('Redis round trips per legacy POST: one check per request, one more for a state change', async () => {
    const h = await openRaw(0, 'gina');
    let runs = 0;
    const restore = fleet.map((i) => {
      const run = i.conn.run.bind(i.conn);
      i.conn.run = ((fn: Parameters<typeof run>[0]) => (runs++, run(fn))) as typeof i.conn.run;
      return () => void (i.conn.run = run);
    });
    try {
      const post = async (instance: number, body: unknown) => {
        runs = 0;
        const r = await raw(instance, { headers: h, body });
        assert.equal(r.status, 200);
        await r.text();
        return runs;
      };
      const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
      const quiet = { jsonrpc: '2.0', id: 4, method: 'logging/setLevel', params: { level: 'error' } };
      assert.equal(await post(2, quiet), 2, 'first sight (rebuilt by the check) and a state change');
      assert.equal(await post(2, call), 1, 'a JSON answer on a session the instance holds: the check only');
      assert.equal(await post(0, call), 1, 'another instance takes the new level over in the same round trip');
      assert.equal(await post(1, call), 1);
      // An answer that turns into SSE also writes its events (priming, log, result) and drops the delivered
      // stream: in the background, not waited for.
      await post(0, { ...quiet, params: { level: 'info' } });
      assert.equal(await post(1, call), 1 + 3 + 1);
    } finally {
      for (const r of restore) r();
    }
  });

  it('oversize client state is refused at initialize (-32602), and no session is opened', async () => {
    const big = {
      ...INIT,
      params: { ...INIT.params, capabilities: { experimental: { x: { blob: 'x'.repeat(70_000) } } } },
    };
    const r = await raw(0, { headers: { authorization: 'Bearer hank' }, body: big });
    const body = (await r.json()) as { error?: { code: number } };
    assert.equal(body.error?.code, -32602);
    const sid = r.headers.get('mcp-session-id');
    if (sid) {
      const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
      const h = { authorization: 'Bearer hank', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
      for (const i of [0, 1]) assert.equal((await raw(i, { headers: h, body: call })).status, 404);
    }
  });

  it("a client's cancellation POSTed to another instance cancels the request where it runs", async () => {
    const h = await openRaw(0, 'jack');
    const wasCancelled = new Promise<void>((r) => cancelled.set('i2', r));
    const stop = new AbortController();
    const call = raw(2, {
      headers: h,
      body: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: {} } },
      signal: stop.signal,
    }).catch(() => undefined);
    // The call has reached instance 2 once its POST is answered with headers or the tool runs; cancel from 0.
    await new Promise((r) => setImmediate(r));
    let note: Response | undefined;
    let done = false;
    void wasCancelled.then(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) {
      note = await raw(i % 2, {
        headers: h,
        body: {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 7, reason: 'no longer needed' },
        },
      });
      assert.equal(note.status, 202);
      await new Promise((r) => setTimeout(r, 20));
    }
    await wasCancelled;
    stop.abort();
    await call;
  });

  it('renew keeps held sessions alive (expiry and fleet count) and never revives an ended one', async () => {
    const live = await openRaw(0, 'ivy');
    const gone = await openRaw(0, 'ivy');
    assert.equal((await raw(1, { method: 'DELETE', headers: gone })).status, 200);
    const { conn, sessions } = fleet[0]!;
    const key = (h: Record<string, string>) => conn.key('sess', `{${h['mcp-session-id']}}`);
    await conn.run((c) => c.pExpire(key(live), 5000));
    await conn.run((c) => c.zAdd(conn.key('sessions'), { score: 1, value: live['mcp-session-id']! }, { XX: true }));
    await sessions.renew([live['mcp-session-id']!, gone['mcp-session-id']!]);
    assert.ok((await conn.run((c) => c.pTTL(key(live)))) > 5000);
    assert.ok((await conn.run((c) => c.zScore(conn.key('sessions'), live['mcp-session-id']!)))! > Date.now());
    assert.equal(await conn.run((c) => c.exists(key(gone))), 0);
    assert.equal(await conn.run((c) => c.zScore(conn.key('sessions'), gone['mcp-session-id']!)), null);
  });

  it('Redis down: requests that need it get 503 with Retry-After; service comes back by itself', async () => {
    const h = await openRaw(0, 'frank');
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    await redis.stop({ kill: true });
    let down: Response | undefined;
    for (let i = 0; i < 50 && down?.status !== 503; i++) down = await raw(i % 3, { headers: h, body: call });
    assert.equal(down?.status, 503);
    assert.equal(down?.headers.get('retry-after'), '2');
    const init = await raw(1, { headers: { authorization: 'Bearer frank' }, body: INIT });
    assert.equal(init.status, 503, 'initialize cannot record its session');
    assert.ok(init.headers.get('retry-after'));
    await redis.restart();
    let back: Response | undefined;
    for (let i = 0; i < 100 && back?.status !== 200; i++) {
      back = await raw(1, { headers: { authorization: 'Bearer frank' }, body: INIT });
      if (back.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(back?.status, 200);
  });
});
