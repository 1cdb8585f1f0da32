// Connection-level bounds over raw loopback sockets: a body over the limit gets 413 and the connection
// is closed (the client cannot keep streaming), and a GET stream nobody reads is closed once its
// unflushed bytes pass maxStreamBufferBytes, its events kept for Last-Event-ID.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';

const stops: (() => unknown)[] = [];
after(async () => {
  for (const s of stops) await s();
});

async function listenNode(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  stops.push(() => (s.closeAllConnections(), new Promise((r) => s.close(r))));
  return (s.address() as AddressInfo).port;
}

function listenWeb(fetch: (r: Request) => Promise<Response>): Promise<number> {
  return new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    stops.push(() => new Promise((r) => s.close(r)));
  });
}

const LIMIT = 64 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
const MAX_CHUNKS = 4096; // 256 MiB: the loop's own bound
const THROUGH = 256; // 16 MiB: socket buffers on both sides and the limit itself, with room to spare

/**
 * POST a body that never ends (a huge Content-Length, or chunked) on a raw socket, writing until the
 * server closes the connection or MAX_CHUNKS is reached. Returns what came back and how far it got.
 */
async function flood(port: number, chunked: boolean): Promise<{ response: string; chunks: number; closed: boolean }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let response = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (response += d));
  socket.on('error', () => {});
  const gone = new Promise<void>((r) => socket.once('close', () => ((closed = true), r())));
  const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${10 * 1024 ** 3}`;
  socket.write(`POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n${length}\r\n\r\n`);
  let chunks = 0;
  while (chunks < MAX_CHUNKS && !closed && socket.writable) {
    const ok = chunked ? socket.write(`${CHUNK.length.toString(16)}\r\n`) && socket.write(CHUNK) && socket.write('\r\n') : socket.write(CHUNK);
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
      const headers: Record<string, string> = { host: 'localhost', 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      if (declared) headers['content-length'] = String(10 * 1024 ** 3);
      const res = await handler(new Request('http://localhost/mcp', { method: 'POST', headers, body, duplex: 'half' } as RequestInit));
      assert.equal(res.status, 413);
      assert.ok(cancelled, `body stream cancelled (declared length: ${declared})`);
      assert.ok(pulls <= LIMIT / (16 * 1024) + 2, `read ${pulls} chunks`);
    }
  });
});
