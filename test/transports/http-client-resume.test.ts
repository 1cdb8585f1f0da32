// A legacy POST stream that ends before its answer is resumed with GET + Last-Event-ID (SEP-1699); when the
// server says the stream cannot be resumed (400), the client stops asking at once instead of retrying.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/client/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

describe('HTTP client: a legacy stream closed early', () => {
  const resumes: (string | undefined)[] = [];
  let url: string;
  let callId: unknown;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') {
      const last = req.headers['last-event-id'];
      if (typeof last !== 'string') return void res.writeHead(405).end(); // no standalone stream here
      resumes.push(last);
      // The rest of the call's stream: the answer, after the event the client last saw.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const result = { content: [{ type: 'text', text: `resumed after ${last}` }] };
      return void res.end(`id: e2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: callId, result })}\n\n`);
    }
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id?: unknown; method: string };
      const headers = { 'mcp-session-id': 's1' };
      if (msg.method === 'initialize') {
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } }));
      }
      if (msg.id === undefined) return void res.writeHead(202, headers).end();
      callId = msg.id;
      // The server closes the call's stream after a priming event (SEP-1699 polling), asking for a quick retry.
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      res.end('id: e1\nretry: 5\ndata: \n\n');
    });
  });
  before(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('resumes with GET + Last-Event-ID and gets the answer', async () => {
    const recorder = new WireRecorder();
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25', requestTimeoutMs: 5_000 });
    await client.connect(recordTransport(new StreamableHttpClientTransport(url, { reconnect: { initialDelayMs: 5, maxRetries: 5 } }), recorder, 'client'));
    const r = await client.callTool('anything');
    assert.deepEqual(r.content, [{ type: 'text', text: 'resumed after e1' }]);
    assert.deepEqual(resumes, ['e1'], 'one GET, carrying the last event id the client saw');
    recorder.assertClean();
    await client.close();
  });
});

describe('HTTP client: an unresumable legacy stream', () => {
  let gets = 0;
  let url: string;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') {
      if (req.headers['last-event-id']) gets++;
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32600, message: 'Bad Request: the stream of this Last-Event-ID cannot be resumed' } }));
    }
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id?: unknown; method: string };
      const headers = { 'mcp-session-id': 's1' };
      if (msg.method === 'initialize') {
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } }));
      }
      if (msg.id === undefined) return void res.writeHead(202, headers).end();
      // The call's stream: a priming event with an id and a short retry, then the connection ends.
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      res.end('id: e1\nretry: 5\ndata: \n\n');
    });
  });
  before(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('asks once, then fails the request', async () => {
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25', requestTimeoutMs: 5_000 });
    await client.connect(new StreamableHttpClientTransport(url, { reconnect: { initialDelayMs: 5, maxRetries: 5 } }));
    await assert.rejects(client.callTool('anything'));
    assert.equal(gets, 1, 'one resumption attempt: a 400 is final');
    await client.close();
  });
});
