// Resumable legacy streams over loopback HTTP: a finished stream's events are dropped once delivered (or
// after the resumption window), a session's events go with the session, the store is bounded in bytes,
// and Last-Event-ID only ever replays the requesting session's own events.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { InMemoryEventStore } from '../../src/transports/http/event-store.js';
import { createNodeHandler, type NodeHandlerOptions } from '../../src/transports/http/node.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const legacy = (session: string) => ({
  ...JSON_HEADERS,
  'mcp-session-id': session,
  'mcp-protocol-version': '2025-11-25',
});
const dec = new TextDecoder();

interface SseEvent {
  id?: string;
  data: string;
}
function parse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((b) => b.trim() && !b.startsWith(':'))
    .map((b) => {
      const id = /^id: (.*)$/m.exec(b)?.[1];
      const data = /^data: ?(.*)$/m.exec(b)?.[1] ?? '';
      return id === undefined ? { data } : { id, data };
    });
}

/** Reads an SSE body until `done(events)` holds or the body ends (bounded by the stream's own end). */
async function readUntil(body: ReadableStream<Uint8Array>, done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = body.getReader();
  let text = '';
  for (;;) {
    if (done(parse(text))) break;
    const { value, done: end } = await reader.read();
    if (end) break;
    text += dec.decode(value);
  }
  reader.releaseLock();
  return parse(text);
}

async function listen(options: NodeHandlerOptions) {
  const server = createEverythingServer();
  const waiting: (() => void)[] = [];
  let finished = 0;
  // Reports `steps` progress notifications carrying `pad`, optionally waits to be released, then echoes.
  server.registerTool('progress_echo', { inputSchema: { type: 'object' } }, async (args, ctx) => {
    const a = args as { text: string; steps?: number; pad?: string; hold?: boolean };
    for (let i = 1; i <= (a.steps ?? 1); i++) await ctx.progress(i, undefined, a.pad);
    if (a.hold) await new Promise<void>((r) => waiting.push(r));
    finished++;
    return { content: [{ type: 'text', text: a.text }] };
  });
  const store = options.eventStore as InMemoryEventStore;
  const http: HttpServer = createServer(createNodeHandler(server, options));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  const post = (body: unknown, headers: Record<string, string>, signal?: AbortSignal) =>
    fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  const open = async () => {
    const r = await post(
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      },
      JSON_HEADERS,
    );
    assert.equal(r.status, 200);
    const session = r.headers.get('mcp-session-id')!;
    await r.text();
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, legacy(session));
    return session;
  };
  const echo = (session: string, id: number, args: Record<string, unknown>, signal?: AbortSignal) =>
    post(
      {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'progress_echo', arguments: args, _meta: { progressToken: `p${id}` } },
      },
      legacy(session),
      signal,
    );
  const resume = (session: string, lastEventId: string, signal?: AbortSignal) =>
    fetch(url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
        'last-event-id': lastEventId,
      },
      signal,
    });
  const release = () => waiting.splice(0).forEach((r) => r());
  const waitHeld = async (n: number) => {
    for (let i = 0; i < 200 && waiting.length < n; i++) await sleep(10);
    assert.equal(waiting.length, n);
  };
  /** A held call whose client disconnects after the first progress; then it finishes. Returns what was seen. */
  const awayThenFinish = async (session: string, id: number, text: string) => {
    const ac = new AbortController();
    const r = await echo(session, id, { text, steps: 1, hold: true }, ac.signal);
    const seen = await readUntil(r.body!, (ev) => ev.some((e) => e.data.includes('notifications/progress')));
    await waitHeld(1);
    ac.abort(); // the client goes away; a legacy request keeps running
    await sleep(50);
    const before = finished;
    release();
    for (let i = 0; i < 200 && finished === before; i++) await sleep(10);
    await sleep(10); // the core stores the answer in the microtasks after the handler returns
    return seen;
  };
  const del = (session: string) => fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': session } });
  const close = async () => {
    release();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  };
  return { url, store, post, open, echo, resume, release, waitHeld, awayThenFinish, del, close };
}

describe('event store: finished streams and ended sessions', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ eventStore: new InMemoryEventStore(), resumptionWindowMs: 150 });
  });
  after(() => s.close());

  it('drops the events of a stream whose response was delivered: 40 × 256 KiB leave nothing behind', async () => {
    const session = await s.open();
    const big = 'x'.repeat(256 * 1024);
    let primeId = '';
    for (let i = 1; i <= 40; i++) {
      const r = await s.echo(session, i, { text: big, steps: 2 });
      assert.equal(r.headers.get('content-type'), 'text/event-stream');
      const events = await readUntil(r.body!, () => false);
      assert.ok(events.at(-1)!.data.includes(big.slice(0, 100)), 'the result arrived');
      primeId ||= events[0]!.id!;
    }
    const replay = await s.resume(session, primeId);
    assert.equal(replay.status, 400, 'a delivered stream is no longer resumable');
    assert.match(((await replay.json()) as { error: { message: string } }).error.message, /cannot be resumed/);
    assert.equal(s.store.bytes, 0);
    assert.equal(s.store.streamCount, 0);
    assert.equal((await s.del(session)).status, 200);
  });

  it('keeps a stream that finished while the client was away for the resumption window only', async () => {
    const session = await s.open();
    const seen = await s.awayThenFinish(session, 1, 'late');
    assert.equal(s.store.streamCount, 1, 'kept for the client to come back');
    const within = await s.resume(session, seen[0]!.id!);
    assert.equal(within.status, 200);
    const replayed = await readUntil(within.body!, () => false);
    assert.ok(
      replayed.some((e) => e.data.includes('"late"')),
      'the missed result is replayed',
    );
    assert.equal(s.store.streamCount, 0, 'and dropped once delivered');
    const seen2 = await s.awayThenFinish(session, 2, 'later');
    assert.equal(s.store.streamCount, 1);
    for (let i = 0; i < 100 && s.store.streamCount > 0; i++) await sleep(20); // the window is 150 ms
    assert.equal(s.store.streamCount, 0, 'gone after the resumption window');
    assert.equal((await s.resume(session, seen2[0]!.id!)).status, 400);
  });

  it('drops everything of a session on DELETE and on idle expiry', async () => {
    const session = await s.open();
    const ac = new AbortController();
    const get = await fetch(s.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      signal: ac.signal,
    });
    await readUntil(get.body!, (ev) => ev.length > 0); // priming event
    ac.abort();
    await sleep(20);
    for (let i = 0; i < 3; i++)
      await (
        await s.post(
          { jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name: 'test_trigger_tool_change' } },
          legacy(session),
        )
      ).text();
    assert.ok(s.store.bytes > 0, 'list changes are kept for the disconnected GET stream');
    assert.equal((await s.del(session)).status, 200);
    assert.equal(s.store.bytes, 0);
    assert.equal(s.store.streamCount, 0);
  });
});

describe('event store: idle expiry', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    // Long enough that a loaded machine does not expire the session between its own requests.
    s = await listen({ eventStore: new InMemoryEventStore(), sessionIdleMs: 500 });
  });
  after(() => s.close());

  it('drops the events of a session that expired', async () => {
    const session = await s.open();
    await s.awayThenFinish(session, 1, 'x');
    assert.ok(s.store.bytes > 0);
    await sleep(600);
    await s.open(); // any new session sweeps expired ones
    assert.equal(s.store.bytes, 0);
    assert.equal((await s.resume(session, 'p0.1')).status, 404, 'the session itself is gone');
  });
});

describe('event store: byte bounds on the wire', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ eventStore: new InMemoryEventStore({ maxBytesPerStream: 64 * 1024 }) });
  });
  after(() => s.close());

  it('drops the oldest events of a stream over its bound; resuming before them gets a clear 400', async () => {
    const session = await s.open();
    const r = await s.echo(session, 1, { text: 'done', steps: 10, pad: 'y'.repeat(16 * 1024), hold: true });
    const events = await readUntil(
      r.body!,
      (ev) => ev.filter((e) => e.data.includes('notifications/progress')).length === 10,
    );
    await s.waitHeld(1);
    assert.ok(s.store.bytes <= 64 * 1024, `${s.store.bytes} bytes kept`);
    const early = await s.resume(session, events[0]!.id!);
    assert.equal(early.status, 400);
    assert.match(((await early.json()) as { error: { message: string } }).error.message, /cannot be resumed/);
    const ac = new AbortController();
    const late = await s.resume(session, events.at(-2)!.id!, ac.signal);
    assert.equal(late.status, 200);
    const replayed = await readUntil(late.body!, (ev) => ev.length >= 1);
    assert.equal(replayed[0]!.id, events.at(-1)!.id, 'the one event after the given id');
    s.release();
    ac.abort();
    await r.body!.cancel().catch(() => undefined);
  });
});

describe('resumption is bound to the session', () => {
  let s: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    s = await listen({ eventStore: new InMemoryEventStore() });
  });
  after(() => s.close());

  it('never replays another session’s events, before or after that session ended', async () => {
    const alice = await s.open();
    const bob = await s.open();
    const seen = await s.awayThenFinish(alice, 1, 'alice-secret');
    const aliceId = seen[0]!.id!;
    const foreign = await s.resume(bob, aliceId);
    assert.equal(foreign.status, 400, 'a foreign event id is answered like an unknown one');
    assert.doesNotMatch(await foreign.text(), /alice-secret/);
    assert.equal((await s.del(alice)).status, 200);
    const afterDelete = await s.resume(bob, aliceId);
    assert.equal(afterDelete.status, 400);
    assert.doesNotMatch(await afterDelete.text(), /alice-secret/);
    const unknown = await s.resume(bob, 'nope.1');
    assert.equal(unknown.status, 400);
  });

  it('still replays the session’s own events', async () => {
    const alice = await s.open();
    const seen = await s.awayThenFinish(alice, 1, 'mine');
    const own = await s.resume(alice, seen[0]!.id!);
    assert.equal(own.status, 200);
    assert.ok((await readUntil(own.body!, () => false)).some((e) => e.data.includes('"mine"')));
  });
});
