// Failure cases of a fleet with real components: three tsmcp processes behind the round-robin proxy and
// one redis-server (append-only file on). kill -9 of the instance running a task, kill -9 of the instance
// holding a legacy session's GET stream, and Redis restarted mid-run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../../src/entries/client.js';
import { McpError } from '../../../src/protocol/errors.js';
import type { CallToolResult, JsonObject } from '../../../src/protocol/types.js';
import { RedisConnection } from '../../../src/stores/redis/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { startFleet, type TestFleet } from '../../helpers/fleet.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../helpers/round-robin-proxy.js';

const KEY = 'fleet-failures-shared-key-0123456789abcdef';
const LEASE_MS = 1500;
const textOf = (r: unknown) => String(((r as CallToolResult).content[0] as { text?: unknown }).text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms, at most `tries` times; fails naming `what`. */
async function until(check: () => boolean | Promise<boolean>, what: string, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('a fleet under failures (kill -9, Redis restart)', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let fleet: TestFleet;
  let proxy: RoundRobinProxy;
  let conn: RedisConnection;
  const clients: Client[] = [];

  before(async () => {
    redis = await startRedis({ persistence: true });
    fleet = await startFleet(5, { REDIS_URL: redis.url, FLEET_KEY: KEY, FLEET_LEASE_MS: String(LEASE_MS) });
    proxy = await startRoundRobinProxy(fleet.urls);
    conn = await RedisConnection.connect({ url: redis.url, prefix: 'fleet-test:', maxReconnectDelayMs: 100 });
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await conn?.close();
    await proxy?.close();
    await fleet?.close();
    await redis?.close();
  });

  /** A modern (2026-07-28) client through the proxy, following tasks; `statuses` sees every task status. */
  async function modern(statuses: JsonObject[] = []): Promise<Client> {
    const c = new Client({ name: 'failures', version: '1' }, {
      version: '2026-07-28',
      tasks: { onstatus: (t: JsonObject) => void statuses.push(t) },
    } as never);
    await c.connect(new StreamableHttpClientTransport(proxy.url()));
    clients.push(c);
    return c;
  }

  /** The upstream that answered the last request with this Mcp-Method. */
  const lastUpstream = (mcp: string) => proxy.log.filter((l) => l.mcp === mcp).at(-1)!.upstream;

  it('kill -9 of the instance running a task: it ends failed ("instance … stopped"), nothing else is lost', async () => {
    const c = await modern();
    // A task completed before the kill, on some instance.
    const doneStatuses: JsonObject[] = [];
    const d = await modern(doneStatuses);
    assert.match(textOf(await d.callTool('job')), /^job done on \d$/);
    const doneId = String(doneStatuses[0]!.taskId);

    const statuses: JsonObject[] = [];
    const h = await modern(statuses);
    const hanging = h.callTool('e2_hang', {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the hanging task');
    const victim = lastUpstream('tools/call');
    // Tasks on the other instances, started before the kill and finishing after it.
    const others: Promise<string>[] = [];
    const where: number[] = [];
    for (let i = 0; where.length < 2 && i < 12; i++) {
      const s: JsonObject[] = [];
      const o = await modern(s);
      const p = o.callTool('e2_sleep', { ms: LEASE_MS * 2 }).then(textOf);
      await until(() => s.length > 0, 'a sleeping task');
      const at = lastUpstream('tools/call');
      if (at === victim) {
        await p.catch(() => {}); // on the victim: not the point here; let it finish before the kill
        continue;
      }
      where.push(at);
      others.push(p);
    }
    assert.equal(where.length, 2);

    await fleet.kill(victim);
    const polls = proxy.log.length;
    const r = await hanging;
    assert.ok(r instanceof McpError, String(r));
    assert.match(r.message, /the instance running this task stopped/);
    // Bounded: the client polled (through the proxy) a bounded number of times (lease / 50 ms poll interval, roughly).
    assert.ok(proxy.log.length - polls < 400, `${proxy.log.length - polls} requests`);

    for (const [i, p] of others.entries()) assert.equal(await p, `slept on ${where[i]}`);
    const done = await c.request('tasks/get', { taskId: doneId }, { noCache: true });
    assert.equal(done.status, 'completed');
    assert.match(textOf(done.result), /^job done on \d$/);
    assert.equal(proxy.failed, 0);
  });

  /** A legacy (2025-11-25) client through the proxy; `changed` counts tools/list_changed on its GET stream. */
  async function legacy(): Promise<{
    client: Client;
    transport: StreamableHttpClientTransport;
    changed: () => number;
  }> {
    let changed = 0;
    const client = new Client(
      { name: 'failures-legacy', version: '1' },
      {
        version: 'legacy',
        onnotification: (m) => void (m === 'notifications/tools/list_changed' && changed++),
      },
    );
    const transport = new StreamableHttpClientTransport(proxy.url());
    await client.connect(transport);
    clients.push(client);
    return { client, transport, changed: () => changed };
  }

  /** Events Redis keeps of the session's GET streams (one XLEN per stream key). */
  async function keptGetEvents(sid: string): Promise<number> {
    const keys = await conn.run((r) => r.keys(`fleet-test:ev:{${sid}}:*g*`));
    let n = 0;
    for (const k of keys) if (!k.endsWith(':w')) n += await conn.run((r) => r.xLen(k)); // not the writer keys
    return n;
  }

  it('kill -9 of the instance holding a legacy GET stream: the client resumes elsewhere and misses no event', async () => {
    const from = proxy.log.length;
    const { client, transport, changed } = await legacy();
    await until(() => proxy.log.slice(from).some((l) => l.http === 'GET' && l.status === 200), 'the GET stream');
    const holder = proxy.log.slice(from).find((l) => l.http === 'GET' && l.status === 200)!.upstream;
    const sid = transport.sessionId!;
    // Raised (on whichever instance the POST lands), delivered, and kept in Redis by the holder.
    assert.match(textOf(await client.callTool('e2_change', { n: 2 })), /^2 changes on \d$/);
    await until(() => changed() === 2, 'two list_changed');
    await until(async () => (await keptGetEvents(sid)) === 3, 'the priming event and two events kept');

    const beforeKill = proxy.log.length;
    await fleet.kill(holder);
    // The client's GET stream dropped; it comes back with Last-Event-ID on another instance.
    await until(
      () => proxy.log.slice(beforeKill).some((l) => l.http === 'GET' && l.status === 200),
      'the GET stream resumed',
    );
    assert.equal(changed(), 2, 'nothing replayed twice');
    // Raised after the resumption: the instance now serving the stream delivers it.
    assert.match(textOf(await client.callTool('e2_change', { n: 3 })), /^3 changes on \d$/);
    await until(() => changed() === 5, `five list_changed (saw ${changed()})`, 200);
    assert.equal(transport.sessionId, sid, 'the same session');
    const resumed = proxy.log.slice(beforeKill).filter((l) => l.http === 'GET');
    assert.ok(
      resumed.every((l) => l.status === 200),
      JSON.stringify(resumed),
    );
  });

  /** A raw POST or GET through the proxy. */
  const raw = (init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal }) =>
    fetch(proxy.url(), {
      method: init.method ?? 'POST',
      headers: { ...HEADERS, ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });

  /** A raw initialized legacy session through the proxy: its request headers. */
  async function rawSession(): Promise<Record<string, string>> {
    const init = await raw({ body: INIT });
    assert.equal(init.status, 200);
    await init.text();
    const h = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    const ack = await raw({ headers: h, body: { jsonrpc: '2.0', method: 'notifications/initialized' } });
    assert.equal(ack.status, 202);
    return h;
  }

  it('events raised while no instance holds a legacy GET stream reach the client when it resumes elsewhere', async () => {
    const h = await rawSession();
    const sid = h['mcp-session-id']!;
    const from = proxy.log.length;
    const drop = new AbortController();
    const get = await raw({ method: 'GET', headers: { ...h, accept: 'text/event-stream' }, signal: drop.signal });
    assert.equal(get.status, 200);
    const holder = proxy.log.slice(from).find((l) => l.http === 'GET' && l.status === 200)!.upstream;
    const [primed] = await readEvents(get, 1);
    await until(async () => (await keptGetEvents(sid)) === 1, 'the priming event kept');

    await fleet.kill(holder);
    drop.abort();
    // Raised on a live instance while no instance holds the stream (the client has not come back yet).
    const call = await raw({
      headers: h,
      body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'e2_change', arguments: { n: 2 } } },
    });
    assert.equal(call.status, 200);
    assert.match(await call.text(), /2 changes on \d/);

    const resumed = await raw({
      method: 'GET',
      headers: { ...h, accept: 'text/event-stream', 'last-event-id': primed!.id },
    });
    assert.equal(resumed.status, 200);
    const missed = await readEvents(resumed, 2);
    assert.deepEqual(
      missed.map((e) => JSON.parse(e.data).method),
      ['notifications/tools/list_changed', 'notifications/tools/list_changed'],
    );
    // Raised after the resumption: delivered live, once; the stream in Redis holds each event once.
    const after = await raw({
      headers: h,
      body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'e2_change', arguments: { n: 1 } } },
    });
    assert.equal(after.status, 200);
    await after.text();
    const [live] = await readEvents(resumed, 1);
    assert.equal(JSON.parse(live!.data).method, 'notifications/tools/list_changed');
    const seqs = [primed!, ...missed, live!].map((e) => Number(e.id.slice(e.id.lastIndexOf('.') + 1)));
    assert.deepEqual(seqs, [seqs[0]!, seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3], 'consecutive ids, none twice');
    await until(async () => (await keptGetEvents(sid)) === 4, 'four events kept (none twice)');
    await readers.get(resumed)!.reader.cancel();
  });

  // Last: it stops Redis.
  it('Redis restarted mid-run: 503 + Retry-After for what needs it, then service resumes and nothing written is lost', async () => {
    const statuses: JsonObject[] = [];
    const c = await modern(statuses);
    assert.match(textOf(await c.callTool('job')), /^job done on \d$/);
    const doneId = String(statuses[0]!.taskId);
    const { client: lc, transport } = await legacy();
    assert.match(textOf(await lc.callTool('whoami')), /^\d$/);
    const sid = transport.sessionId!;
    // A raw legacy session's GET stream with two events kept.
    const init = await raw({ body: INIT });
    assert.equal(init.status, 200);
    await init.text();
    const h = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    assert.equal(
      (await raw({ headers: h, body: { jsonrpc: '2.0', method: 'notifications/initialized' } })).status,
      202,
    );
    const drop = new AbortController();
    const get = await raw({ method: 'GET', headers: { ...h, accept: 'text/event-stream' }, signal: drop.signal });
    assert.equal(get.status, 200);
    const [primed] = await readEvents(get, 1);
    void c.callTool('e2_change', { n: 2 });
    const ids = [primed!, ...(await readEvents(get, 2))].map((e) => e.id);
    await until(async () => (await keptGetEvents(h['mcp-session-id'])) >= 3, 'the GET events kept');
    drop.abort();

    await redis.stop();
    const at = proxy.log.length;
    // A plain modern tools/call needs no Redis.
    assert.match(textOf(await c.callTool('whoami')), /^\d$/);
    await assert.rejects(c.request('tasks/get', { taskId: doneId }, { noCache: true }));
    await assert.rejects(lc.callTool('whoami'));
    const refused = proxy.log.slice(at).filter((l) => l.status === 503);
    assert.ok(
      refused.some((l) => l.mcp === 'tasks/get' && l.retryAfter),
      `tasks/get: ${JSON.stringify(proxy.log.slice(at))}`,
    );
    assert.ok(
      refused.some((l) => l.http === 'POST' && l.mcp === undefined && l.retryAfter),
      `legacy POST: ${JSON.stringify(proxy.log.slice(at))}`,
    );

    await redis.restart(); // the same port and append-only file; no instance is restarted
    await until(async () => {
      try {
        return /^\d$/.test(textOf(await lc.callTool('whoami')));
      } catch {
        return false;
      }
    }, 'the legacy session to work again');
    // Every live instance reconnects by itself, each in its own time (a loaded machine spreads them out):
    // wait until a full round of the proxy (one request per instance) finds Redis again on each.
    await until(async () => {
      for (let i = 0; i < fleet.urls.length; i++) {
        const r = await raw({ body: { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }, headers: h });
        await r.text();
        if (r.status !== 200) return false;
      }
      return true;
    }, 'every instance to reach Redis again');
    assert.equal(transport.sessionId, sid, 'the same legacy session, not a new one');
    const done = await c.request('tasks/get', { taskId: doneId }, { noCache: true });
    assert.equal(done.status, 'completed');
    assert.match(textOf(done.result), /^job done on \d$/);
    const resumed = await raw({
      method: 'GET',
      headers: { ...h, accept: 'text/event-stream', 'last-event-id': ids[0]! },
    });
    assert.equal(resumed.status, 200);
    const replayed = (await readEvents(resumed, 2)).map((e) => e.id);
    assert.deepEqual(replayed, ids.slice(1));
    await readers.get(resumed)!.reader.cancel();
  });
});

/** One reader, decoder and buffer per response, so events are read off it in several calls. */
const readers = new WeakMap<
  Response,
  { reader: ReadableStreamDefaultReader<Uint8Array>; dec: TextDecoder; buf: string }
>();

/**
 * Reads the next `n` SSE events that have an id off `res`, callable again on the same response. Bounded: the
 * stream's end, or 15 s without a byte, stops it.
 */
async function readEvents(res: Response, n: number): Promise<{ id: string; data: string }[]> {
  let r = readers.get(res);
  if (!r) readers.set(res, (r = { reader: res.body!.getReader(), dec: new TextDecoder(), buf: '' }));
  const out: { id: string; data: string }[] = [];
  while (out.length < n) {
    let i: number;
    while (out.length < n && (i = r.buf.indexOf('\n\n')) >= 0) {
      const block = r.buf.slice(0, i);
      r.buf = r.buf.slice(i + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      if (id) out.push({ id, data: /^data: ?(.*)$/m.exec(block)?.[1] ?? '' });
    }
    if (out.length >= n) break;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 15_000);
    });
    const got = await Promise.race([r.reader.read(), late]);
    clearTimeout(timer);
    if (!got) {
      r.reader.cancel().catch(() => {}); // a liveness bound, not a timing check: the assertion then shows what came
      break;
    }
    if (got.done) break;
    r.buf += r.dec.decode(got.value, { stream: true });
  }
  return out;
}
