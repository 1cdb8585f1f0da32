// Legacy session limits under an initialize flood, over loopback HTTP: the session idle the longest goes
// first, sessions with an open stream or a request in flight are never evicted, one client address
// cannot hold more than its share, and a full server answers 503 with Retry-After.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createNodeHandler, type NodeHandlerOptions } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const legacy = (session: string) => ({
  ...JSON_HEADERS,
  'mcp-session-id': session,
  'mcp-protocol-version': '2025-11-25',
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One POST over node:http, optionally from a given local address (127.0.0.0/8 is all loopback on Linux). */
function post(url: string, body: unknown, headers: Record<string, string>, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const r = httpRequest(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers, localAddress, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    r.on('error', reject);
    r.end(JSON.stringify(body));
  });
}

/** A hold-able tool, so a test decides when an in-flight request finishes. */
function serverWithHold() {
  const server = createEverythingServer();
  const waiting: (() => void)[] = [];
  server.registerTool('hold', { inputSchema: { type: 'object' } }, async () => {
    await new Promise<void>((r) => waiting.push(r));
    return { content: [{ type: 'text', text: 'released' }] };
  });
  return { server, release: () => waiting.splice(0).forEach((r) => r()), waitingCount: () => waiting.length };
}

async function listen(options: NodeHandlerOptions) {
  const { server, release, waitingCount } = serverWithHold();
  const handler = createNodeHandler(server, options);
  const http: HttpServer = createServer(handler);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  const init = async (localAddress?: string) => {
    const r = await post(url, INIT, JSON_HEADERS, localAddress);
    return { ...r, session: r.headers['mcp-session-id'] as string | undefined };
  };
  const open = async (localAddress?: string) => {
    const r = await init(localAddress);
    assert.equal(r.status, 200, r.body);
    await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, legacy(r.session!), localAddress);
    return r.session!;
  };
  const list = (session: string) => post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, legacy(session));
  const getStream = async (session: string) => {
    const ac = new AbortController();
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    return { close: () => ac.abort() };
  };
  const holdCall = async (session: string) => {
    const before = waitingCount();
    const answer = post(
      url,
      { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'hold', arguments: {} } },
      legacy(session),
    );
    for (let i = 0; i < 100 && waitingCount() === before; i++) await sleep(10);
    assert.equal(waitingCount(), before + 1, 'the hold tool is running');
    return { answer }; // wrapped: an async function would otherwise wait for the answer itself
  };
  const close = async () => {
    release();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  };
  return { url, core: handler.core, init, open, list, getStream, holdCall, release, close };
}

function assertBusy(r: Answer) {
  assert.equal(r.status, 503, r.body);
  assert.match(String(r.headers['retry-after']), /^\d+$/);
  const body = JSON.parse(r.body) as { jsonrpc: string; id: number; error: { code: number; message: string } };
  assert.equal(body.jsonrpc, '2.0');
  assert.equal(body.id, 0);
  assert.equal(typeof body.error.code, 'number');
  assert.match(body.error.message, /session/i);
}

describe('legacy sessions under an initialize flood', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ maxSessions: 5 });
  });
  after(() => s.close());

  it('evicts the session idle the longest, never one in use, one with a GET stream or one with a request in flight', async () => {
    const active = await s.open();
    const idle1 = await s.open();
    const idle2 = await s.open();
    const streamer = await s.open();
    const busy = await s.open();
    const stream = await s.getStream(streamer);
    const held = (await s.holdCall(busy)).answer;
    assert.equal((await s.list(active)).status, 200); // active is now the most recently used
    assert.equal(s.core.sessionCount, 5);

    // Each initialize of the flood ends the idle-longest session; active keeps working between them.
    assert.equal((await s.init()).status, 200);
    assert.equal((await s.list(active)).status, 200, 'a recently used session survives the first eviction');
    assert.equal((await s.init()).status, 200);
    assert.equal((await s.list(idle1)).status, 404, 'idle1 was idle the longest');
    assert.equal((await s.list(idle2)).status, 404, 'idle2 next');
    for (let i = 0; i < 30; i++) {
      assert.equal((await s.init()).status, 200);
      assert.equal((await s.list(active)).status, 200, `active still answers after ${i + 3} new sessions`);
    }
    assert.ok(s.core.sessionCount <= 5);
    assert.equal((await s.list(streamer)).status, 200, 'the session with a GET stream was kept');
    s.release();
    const answer = await held;
    assert.equal(answer.status, 200);
    assert.match(answer.body, /released/, 'the request in flight completed on its session');
    stream.close();
  });
});

describe('legacy sessions when only live ones remain', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ maxSessions: 2 });
  });
  after(() => s.close());

  it('answers 503 with Retry-After instead of evicting a live session, and admits again once one is idle', async () => {
    const streamer = await s.open();
    const busy = await s.open();
    const stream = await s.getStream(streamer);
    const held = (await s.holdCall(busy)).answer;
    for (let i = 0; i < 5; i++) assertBusy(await s.init());
    assert.equal(s.core.sessionCount, 2);
    assert.equal((await s.list(streamer)).status, 200);
    assert.equal((await s.list(busy)).status, 200);
    s.release();
    assert.equal((await held).status, 200);
    // busy has nothing in flight any more: it may now give way to a newcomer.
    assert.equal((await s.init()).status, 200);
    assert.equal((await s.list(busy)).status, 404);
    assert.equal((await s.list(streamer)).status, 200);
    stream.close();
  });
});

describe('sessions per client address', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ maxSessions: 100, maxSessionsPerClient: 3 });
  });
  after(() => s.close());

  it('caps the sessions one address opens (503 + Retry-After) without touching other addresses', async () => {
    const mine = [await s.open('127.0.0.2'), await s.open('127.0.0.2'), await s.open('127.0.0.2')];
    for (let i = 0; i < 5; i++) assertBusy(await s.init('127.0.0.2'));
    const other = await s.open('127.0.0.1');
    assert.equal((await s.list(other)).status, 200);
    for (const m of mine) assert.equal((await s.list(m)).status, 200, 'the capped address keeps its sessions');
    const del = await fetch(s.url, { method: 'DELETE', headers: { 'mcp-session-id': mine[0]! } });
    assert.equal(del.status, 200);
    assert.equal((await s.init('127.0.0.2')).status, 200, 'a slot freed by DELETE can be used again');
  });

  it('takes the client address from the web front through an option', async () => {
    const { server } = serverWithHold();
    const h = createWebHandler(server, {
      maxSessionsPerClient: 1,
      remoteAddress: (r) => r.headers.get('x-test-client') ?? undefined,
    });
    const init = (client: string) =>
      h(
        new Request('http://localhost/mcp', {
          method: 'POST',
          headers: { ...JSON_HEADERS, host: 'localhost', 'x-test-client': client },
          body: JSON.stringify(INIT),
        }),
      );
    assert.equal((await init('a')).status, 200);
    const refused = await init('a');
    assert.equal(refused.status, 503);
    assert.ok(refused.headers.get('retry-after'));
    assert.equal((await init('b')).status, 200);
  });

  it('counts an IPv6 /64 as one client (one host holds the whole network)', async () => {
    const { server } = serverWithHold();
    const h = createWebHandler(server, {
      maxSessionsPerClient: 2,
      remoteAddress: (r) => r.headers.get('x-test-client') ?? undefined,
    });
    const init = (client: string) =>
      h(
        new Request('http://localhost/mcp', {
          method: 'POST',
          headers: { ...JSON_HEADERS, host: 'localhost', 'x-test-client': client },
          body: JSON.stringify(INIT),
        }),
      );
    assert.equal((await init('2001:db8:0:1::5')).status, 200);
    assert.equal((await init('2001:0db8:0000:0001:ffff::9')).status, 200);
    assert.equal(
      (await init('2001:db8:0:1:abcd:1:2:3')).status,
      503,
      'a third address of the same /64 is over the cap',
    );
    assert.equal((await init('2001:db8:0:2::5')).status, 200, 'another /64 is another client');
    assert.equal((await init('::ffff:192.0.2.1')).status, 200);
    assert.equal((await init('192.0.2.1')).status, 200);
    assert.equal((await init('192.0.2.1')).status, 503, 'an IPv4-mapped address counts as its IPv4 address');
  });
});
