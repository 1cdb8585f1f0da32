// The HTTP client transport bounds what a server can make it buffer: a JSON body (declared or streamed)
// and one SSE event are capped by `maxMessageBytes`; the request fails with a typed error, the
// connection is dropped, and the client keeps serving other requests.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/protocol/errors.js';
import { DEFAULT_HTTP_MAX_MESSAGE_BYTES, StreamableHttpClientTransport } from '../../src/transports/http/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Most a hostile stream writes before giving up (bounds every loop of the fake server). */
const HOSTILE_TOTAL = 64 * MiB;

interface Hostile {
  written: number;
  closedEarly: boolean;
}

/** Write `head`, then 'a' chunks with backpressure until the client goes away or HOSTILE_TOTAL is reached. */
function flood(res: ServerResponse, head: string, stats: Hostile): void {
  const chunk = 'a'.repeat(16 * KiB);
  let gone = false;
  res.on('close', () => {
    gone = true;
    if (!res.writableFinished) stats.closedEarly = true;
  });
  stats.written += Buffer.byteLength(head);
  res.write(head);
  const pump = () => {
    while (!gone && stats.written < HOSTILE_TOTAL) {
      stats.written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!gone) res.end();
  };
  pump();
}

const ok = (id: unknown, result: object) => JSON.stringify({ jsonrpc: '2.0', id, result });

describe('HTTP client transport: response size limits', () => {
  const stats = new Map<string, Hostile>();
  let url: string;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id: unknown; method: string; params?: { name?: string } };
      if (msg.method === 'server/discover') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          ok(msg.id, {
            resultType: 'complete',
            supportedVersions: ['2026-07-28'],
            capabilities: { tools: {} },
            ttlMs: 0,
            cacheScope: 'private',
          }),
        );
      }
      const name = msg.params?.name ?? '';
      const s: Hostile = { written: 0, closedEarly: false };
      stats.set(name, s);
      const head = `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`;
      switch (name) {
        case 'ok':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(ok(msg.id, { resultType: 'complete', content: [{ type: 'text', text: 'fine' }] }));
        case 'json-declared':
        case 'json-declared-default': {
          // Declares a huge body, sends a little, then waits: only an early check ends this quickly.
          const declared = name === 'json-declared' ? MiB : DEFAULT_HTTP_MAX_MESSAGE_BYTES + 1;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(declared) });
          res.write(head);
          s.written = head.length;
          const t = setTimeout(() => res.destroy(), 2000);
          res.on('close', () => {
            clearTimeout(t);
            s.closedEarly = !res.writableFinished;
          });
          return;
        }
        case 'json-chunked':
          res.writeHead(200, { 'content-type': 'application/json' });
          return flood(res, head, s);
        case 'sse-line':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return flood(res, `data: ${head}`, s);
        case 'sse-lines':
          // One event of many short data lines that never ends: no single line is long.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return flood(res, 'data: x\n'.repeat(2048), s);
      }
      res.writeHead(404).end();
    });
  });
  let client: Client;
  const problems: Error[] = [];

  before(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    client = new Client(
      { name: 'c', version: '1' },
      { version: '2026-07-28', onprotocolerror: (e) => problems.push(e) },
    );
    await client.connect(new StreamableHttpClientTransport(url, { maxMessageBytes: 64 * KiB }));
  });
  after(async () => {
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  const tooLarge = (limit: number) => (e: unknown) => {
    assert.ok(e instanceof TsmcpError, `expected a TsmcpError, got ${String(e)}`);
    assert.equal(e.code, 'TSMCP_MESSAGE_TOO_LARGE');
    assert.match(e.message, new RegExp(`${limit}`));
    assert.match(e.message, /maxMessageBytes/);
    return true;
  };

  for (const name of ['json-declared', 'json-chunked', 'sse-line', 'sse-lines']) {
    it(`fails the request with TSMCP_MESSAGE_TOO_LARGE and drops the connection (${name})`, async () => {
      await assert.rejects(client.callTool(name), tooLarge(64 * KiB));
      const s = stats.get(name)!;
      // The client went away before the server could finish: nothing more was read.
      for (let i = 0; i < 200 && !s.closedEarly; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(s.closedEarly, true, 'the response stream was aborted');
      assert.ok(s.written < HOSTILE_TOTAL, `server wrote ${s.written} bytes`);
      // The client stays usable.
      assert.equal((await client.callTool('ok')).content[0]!.type, 'text');
    });
  }

  it('applies a default of 32 MiB when no option is given', async () => {
    assert.equal(DEFAULT_HTTP_MAX_MESSAGE_BYTES, 32 * MiB);
    const plain = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
    await plain.connect(new StreamableHttpClientTransport(url));
    await assert.rejects(plain.callTool('json-declared-default'), tooLarge(DEFAULT_HTTP_MAX_MESSAGE_BYTES));
    assert.equal((await plain.callTool('ok')).content[0]!.type, 'text');
    await plain.close();
  });
});

describe('HTTP client transport: the HTTP+SSE (2024-11-05) fallback stream is bounded too', () => {
  it('fails the pending request with TSMCP_MESSAGE_TOO_LARGE and drops the stream', async () => {
    let stream: ServerResponse | undefined;
    const s: Hostile = { written: 0, closedEarly: false };
    const http = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: endpoint\ndata: /messages\n\n');
        stream = res;
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        if (!req.url?.startsWith('/messages')) return void res.writeHead(404).end(); // no Streamable HTTP here
        res.writeHead(202).end();
        const msg = JSON.parse(body) as { id?: unknown; method: string };
        if (msg.method === 'initialize') {
          stream!.write(
            `data: ${ok(msg.id, { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } })}\n\n`,
          );
        } else if (msg.method === 'tools/call') {
          flood(
            stream!,
            `data: {"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`,
            s,
          );
        }
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const problems: Error[] = [];
    const client = new Client(
      { name: 'c', version: '1' },
      { version: '2024-11-05', onprotocolerror: (e) => problems.push(e) },
    );
    await client.connect(
      new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/sse`, {
        maxMessageBytes: 64 * KiB,
      }),
    );
    await assert.rejects(
      client.callTool('big'),
      (e: unknown) =>
        e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE' && /maxMessageBytes/.test(e.message),
    );
    for (let i = 0; i < 200 && !s.closedEarly; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.closedEarly, true, 'the SSE stream was dropped');
    assert.ok(s.written < HOSTILE_TOTAL);
    assert.ok(problems.some((e) => e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE'));
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
});

describe('HTTP client transport: the legacy GET stream is bounded too', () => {
  it('gives the GET stream up (no replaying reconnect) and reports TSMCP_MESSAGE_TOO_LARGE; requests still work', async () => {
    const s: Hostile = { written: 0, closedEarly: false };
    let gets = 0;
    const http = createServer((req, res) => {
      if (req.method === 'GET') {
        gets++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return flood(
          res,
          'id: 1\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"',
          s,
        );
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        if (!body) return void res.writeHead(200).end(); // DELETE of the session
        const msg = JSON.parse(body) as { id?: unknown; method?: string };
        if (msg.method === 'initialize') {
          res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' });
          return void res.end(
            ok(msg.id, {
              protocolVersion: '2025-11-25',
              capabilities: { tools: {} },
              serverInfo: { name: 'raw', version: '1' },
            }),
          );
        }
        if (msg.method === 'tools/call') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(ok(msg.id, { content: [{ type: 'text', text: 'fine' }] }));
        }
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const problems: Error[] = [];
    const client = new Client(
      { name: 'c', version: '1' },
      { version: '2025-11-25', onprotocolerror: (e) => problems.push(e) },
    );
    await client.connect(
      new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`, {
        maxMessageBytes: 64 * KiB,
        reconnect: { initialDelayMs: 10 },
      }),
    );
    const reported = () =>
      problems.some(
        (e) => e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE' && /GET stream/.test(e.message),
      );
    for (let i = 0; i < 300 && !(reported() && s.closedEarly); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(reported(), 'reported to onprotocolerror');
    assert.equal(s.closedEarly, true, 'the GET stream was dropped');
    assert.equal((await client.callTool('x')).content[0]!.type, 'text');
    await new Promise((r) => setTimeout(r, 100)); // a reconnect, if any, would have happened by now
    assert.equal(gets, 1, 'no reconnect replays the oversize event');
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
});
