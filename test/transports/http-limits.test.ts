// Connection-level bounds over raw loopback sockets: a body over the limit gets 413 and the connection
// is closed (the client cannot keep streaming), and a GET stream nobody reads is closed once its
// unflushed bytes pass maxStreamBufferBytes, its events kept for Last-Event-ID.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { InMemoryEventStore } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { sseNodeHandler } from '../../src/transports/sse/server.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { listenNode, listenWeb, stops } from '../helpers/listen.js';

const LIMIT = 64 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
const MAX_CHUNKS = 4096; // 256 MiB: the loop's own bound
const THROUGH = 256; // 16 MiB: socket buffers on both sides and the limit itself, with room to spare

/**
 * POST a body that never ends (a huge Content-Length, or chunked) on a raw socket, writing until the
 * server closes the connection or MAX_CHUNKS is reached. Returns what came back and how far it got.
 */
async function flood(
  port: number,
  chunked: boolean,
  path = '/mcp',
): Promise<{ response: string; chunks: number; closed: boolean }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let response = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (response += d));
  socket.on('error', () => {});
  const gone = new Promise<void>((r) => socket.once('close', () => ((closed = true), r())));
  const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${10 * 1024 ** 3}`;
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n${length}\r\n\r\n`,
  );
  let chunks = 0;
  while (chunks < MAX_CHUNKS && !closed && socket.writable) {
    const ok = chunked
      ? socket.write(`${CHUNK.length.toString(16)}\r\n`) && socket.write(CHUNK) && socket.write('\r\n')
      : socket.write(CHUNK);
    chunks++;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), gone]);
  }
  if (!closed) {
    socket.destroy();
    await gone;
    return { response, chunks, closed: false };
  }
  return { response, chunks, closed: true };
}

describe('413: the connection is closed, not drained', () => {
  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked, no length' : 'a huge Content-Length';
    it(`node front, ${how}`, async () => {
      const port = await listenNode(createNodeHandler(createEverythingServer(), { maxBodyBytes: LIMIT }));
      const r = await flood(port, chunked);
      assert.match(r.response, /^HTTP\/1\.1 413 /);
      assert.match(r.response, /connection: close/i);
      assert.ok(r.closed && r.chunks < THROUGH, `the server kept reading: ${r.chunks} chunks of 64 KiB written`);
    });
    it(`web front on @hono/node-server, ${how}`, async () => {
      const port = await listenWeb(createWebHandler(createEverythingServer(), { maxBodyBytes: LIMIT }));
      const r = await flood(port, chunked);
      assert.match(r.response, /^HTTP\/1\.1 413 /);
      assert.ok(r.closed && r.chunks < THROUGH, `the server kept reading: ${r.chunks} chunks of 64 KiB written`);
    });
  }

  it('node front: a fetch client sending a body just over the limit reads the 413 (lingering close, RFC 9112 §9.6)', async () => {
    const port = await listenNode(createNodeHandler(createEverythingServer(), { maxBodyBytes: LIMIT }));
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { pad: 'x'.repeat(64 * LIMIT) },
    });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      assert.equal(res.status, 413);
      await res.text();
    }
  });

  it('web front cancels the request body instead of reading on', async () => {
    const handler = createWebHandler(createEverythingServer(), { maxBodyBytes: LIMIT });
    for (const declared of [true, false]) {
      let pulls = 0;
      let cancelled = false;
      const body = new ReadableStream<Uint8Array>({
        pull: (c) => {
          pulls++;
          if (pulls > 10_000) return c.close(); // bound for the unfixed case
          c.enqueue(new Uint8Array(16 * 1024));
        },
        cancel: () => {
          cancelled = true;
        },
      });
      const headers: Record<string, string> = {
        host: 'localhost',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      };
      if (declared) headers['content-length'] = String(10 * 1024 ** 3);
      const res = await handler(
        new Request('http://localhost/mcp', { method: 'POST', headers, body, duplex: 'half' } as RequestInit),
      );
      assert.equal(res.status, 413);
      assert.ok(cancelled, `body stream cancelled (declared length: ${declared})`);
      assert.ok(pulls <= LIMIT / (16 * 1024) + 2, `read ${pulls} chunks`);
    }
  });
});

const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Open a 2025-11-25 session; returns its id. */
async function openSession(base: string): Promise<string> {
  const r = await fetch(base, { method: 'POST', headers: POST_HEADERS, body: JSON.stringify(INIT) });
  const id = r.headers.get('mcp-session-id')!;
  await r.text();
  const n = await fetch(base, {
    method: 'POST',
    headers: { ...POST_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await n.text();
  return id;
}

/** A GET stream on a raw socket: reads up to the priming event's id, then never reads again. */
async function stalledGet(port: number, session: string): Promise<{ socket: Socket; primingId: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `GET /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/event-stream\r\nmcp-session-id: ${session}\r\nmcp-protocol-version: 2025-11-25\r\n\r\n`,
  );
  let seen = '';
  socket.setEncoding('utf8');
  const primingId = await new Promise<string>((resolve) => {
    const onData = (d: string) => {
      seen += d;
      const m = /\r\n\r\n[\s\S]*?id: (\S+)\n/.exec(seen);
      if (m) {
        socket.off('data', onData);
        socket.pause();
        resolve(m[1]!);
      }
    };
    socket.on('data', onData);
  });
  stops.push(() => socket.destroy());
  return { socket, primingId };
}

const STREAM_BOUND = 256 * 1024;
const BATCHES = 400; // × 1000 events of ~120 bytes: ~48 MiB, far more than kernel buffers and the bound

describe('a GET stream nobody reads is closed at maxStreamBufferBytes', () => {
  for (const front of ['node', 'web'] as const) {
    it(`${front} front: closed, buffer bounded, events kept for Last-Event-ID`, async () => {
      const mcp = createEverythingServer();
      let out: ServerResponse | undefined;
      const capture = (req: IncomingMessage, res: ServerResponse) => {
        if (req.method === 'GET') out = res;
      };
      let port: number;
      // Room for every event the stalled stream gets before it is closed (the default keeps the last 100
      // per stream, and resuming from before a dropped event is refused), so the replay below can work.
      const eventStore = new InMemoryEventStore({
        maxEventsPerStream: 1_000_000,
        maxBytesPerStream: 256 * 1024 * 1024,
        maxBytes: 256 * 1024 * 1024,
      });
      if (front === 'node') {
        const handler = createNodeHandler(mcp, { maxStreamBufferBytes: STREAM_BOUND, eventStore });
        port = await listenNode((req, res) => (capture(req, res), handler(req, res)));
      } else {
        const handler = createWebHandler(mcp, { maxStreamBufferBytes: STREAM_BOUND, eventStore });
        // @hono/node-server hands the node objects to fetch as its second argument.
        port = await listenWeb(
          ((r: Request, env: { incoming: IncomingMessage; outgoing: ServerResponse }) => (
            capture(env.incoming, env.outgoing), handler(r)
          )) as (r: Request) => Promise<Response>,
        );
      }
      const base = `http://127.0.0.1:${port}/mcp`;
      const session = await openSession(base);
      const { primingId } = await stalledGet(port, session);
      assert.ok(out, 'the GET reached the server');
      let closed = false;
      out.once('close', () => (closed = true));
      let maxBuffered = 0;
      let batches = 0;
      while (!closed && batches < BATCHES) {
        for (let i = 0; i < 1000; i++) mcp.server.publish({ type: 'resources/list_changed' });
        maxBuffered = Math.max(maxBuffered, out.writableLength);
        batches++;
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(closed, `the server kept buffering: ${out.writableLength} bytes unflushed after ${batches} batches`);
      // The node front's own buffer is what the bound limits; the web front's sits in its stream queue.
      assert.ok(maxBuffered <= STREAM_BOUND + 64 * 1024, `${maxBuffered} bytes buffered`);
      // The session lives on and keeps storing: a later event is replayed to a client that resumes.
      mcp.server.publish({ type: 'tools/list_changed' });
      const resumed = new AbortController();
      const r = await fetch(base, {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-11-25',
          'last-event-id': primingId,
        },
        signal: resumed.signal,
      });
      assert.equal(r.status, 200);
      const reader = r.body!.getReader();
      let text = '';
      for (let i = 0; i < 10_000 && !text.includes('notifications/tools/list_changed'); i++) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      resumed.abort();
      assert.match(text, /notifications\/tools\/list_changed/);
    });
  }
});

describe('HTTP+SSE server (deprecated): the same two bounds', () => {
  /** Open the SSE stream on a raw socket, read the endpoint event, then never read again. */
  async function stalledSse(port: number): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    stops.push(() => socket.destroy());
    socket.write(`GET /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/event-stream\r\n\r\n`);
    let seen = '';
    socket.setEncoding('utf8');
    return new Promise<string>((resolve) => {
      const onData = (d: string) => {
        seen += d;
        const m = /event: endpoint\ndata: (\S+)\n/.exec(seen);
        if (m) {
          socket.off('data', onData);
          socket.pause();
          resolve(m[1]!);
        }
      };
      socket.on('data', onData);
    });
  }

  for (const chunked of [false, true]) {
    it(`413 closes the connection (${chunked ? 'chunked' : 'huge Content-Length'})`, async () => {
      const port = await listenNode(sseNodeHandler(createEverythingServer().server, { maxBodyBytes: LIMIT }));
      const r = await flood(port, chunked, await stalledSse(port));
      assert.match(r.response, /^HTTP\/1\.1 413 /);
      assert.ok(r.closed && r.chunks < THROUGH, `the server kept reading: ${r.chunks} chunks of 64 KiB written`);
    });
  }

  it('a stream nobody reads is closed at maxStreamBufferBytes', async () => {
    const mcp = createEverythingServer();
    let out: ServerResponse | undefined;
    const handler = sseNodeHandler(mcp.server, { maxStreamBufferBytes: STREAM_BOUND });
    const port = await listenNode((req, res) => {
      if (req.method === 'GET') out = res;
      handler(req, res);
    });
    const endpoint = await stalledSse(port);
    const post = async (body: unknown) =>
      (
        await fetch(`http://127.0.0.1:${port}${endpoint}`, {
          method: 'POST',
          headers: POST_HEADERS,
          body: JSON.stringify(body),
        })
      ).status;
    assert.equal(await post({ ...INIT, params: { ...INIT.params, protocolVersion: '2024-11-05' } }), 202);
    assert.equal(await post({ jsonrpc: '2.0', method: 'notifications/initialized' }), 202);
    let closed = false;
    out!.once('close', () => (closed = true));
    let maxBuffered = 0;
    for (let batches = 0; !closed && batches < BATCHES; batches++) {
      for (let i = 0; i < 1000; i++) mcp.server.publish({ type: 'resources/list_changed' });
      maxBuffered = Math.max(maxBuffered, out!.writableLength);
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(closed, `the server kept buffering: ${out!.writableLength} bytes unflushed`);
    assert.ok(maxBuffered <= STREAM_BOUND + 64 * 1024, `${maxBuffered} bytes buffered`);
    assert.equal(handler.connections, 0);
  });
});
