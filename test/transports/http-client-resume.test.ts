// A legacy POST stream that ends before its answer is resumed with GET + Last-Event-ID (SEP-1699); when the
// server says the stream cannot be resumed (400), the client stops asking at once instead of retrying.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

/** What the raw server does with a GET that carries Last-Event-ID (the id of the call it cut short). */
type OnResume = (res: ServerResponse, lastEventId: string, callId: unknown) => void;

const servers: HttpServer[] = [];
after(async () => {
  for (const h of servers) {
    h.closeAllConnections();
    await new Promise((r) => h.close(r));
  }
});

/** A raw 2025-11-25 server that closes every call's stream after a priming event (id e1, retry 5 ms). */
async function cutShortServer(onResume: OnResume): Promise<string> {
  let callId: unknown;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') {
      const last = req.headers['last-event-id'];
      if (typeof last !== 'string') return void res.writeHead(405).end(); // no standalone stream here
      return onResume(res, last, callId);
    }
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id?: unknown; method: string };
      const headers = { 'mcp-session-id': 's1' };
      if (msg.method === 'initialize') {
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: msg.id,
            result: {
              protocolVersion: '2025-11-25',
              capabilities: { tools: {} },
              serverInfo: { name: 'raw', version: '1' },
            },
          }),
        );
      }
      if (msg.id === undefined) return void res.writeHead(202, headers).end();
      callId = msg.id;
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      res.end('id: e1\nretry: 5\ndata: \n\n');
    });
  });
  servers.push(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
}

const legacyClient = () => new Client({ name: 'c', version: '1' }, { version: '2025-11-25', requestTimeoutMs: 5_000 });
const transport = (url: string) =>
  new StreamableHttpClientTransport(url, { reconnect: { initialDelayMs: 5, maxRetries: 5 } });

describe('HTTP client: a legacy stream closed early', () => {
  it('resumes with GET + Last-Event-ID and gets the answer', async () => {
    const resumes: string[] = [];
    const url = await cutShortServer((res, last, callId) => {
      resumes.push(last);
      // The rest of the call's stream: the answer, after the event the client last saw.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const result = { content: [{ type: 'text', text: `resumed after ${last}` }] };
      res.end(`id: e2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: callId, result })}\n\n`);
    });
    const recorder = new WireRecorder();
    const client = legacyClient();
    await client.connect(recordTransport(transport(url), recorder, 'client'));
    const r = await client.callTool('anything');
    assert.deepEqual(r.content, [{ type: 'text', text: 'resumed after e1' }]);
    assert.deepEqual(resumes, ['e1'], 'one GET, carrying the last event id the client saw');
    recorder.assertClean();
    await client.close();
  });

  it('asks once when the stream cannot be resumed (400), then fails the request', async () => {
    let gets = 0;
    const url = await cutShortServer((res) => {
      gets++;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32600, message: 'Bad Request: the stream of this Last-Event-ID cannot be resumed' },
        }),
      );
    });
    const client = legacyClient();
    await client.connect(transport(url));
    await assert.rejects(client.callTool('anything'));
    assert.equal(gets, 1, 'one resumption attempt: a 400 is final');
    await client.close();
  });
});
