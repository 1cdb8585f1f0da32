// What a hostile server can make the client run: requests on a 2026-07-28 connection (dropped, never
// run), too many requests in flight on a legacy session, and too many input requests in one round.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import type { Transport } from '../../src/protocol/transport.js';

type Msg = {
  jsonrpc: '2.0';
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
};

/** The server end of an in-memory pair driven by hand: it sees every message the client sends. */
export async function rawPeer(
  answer: (m: Msg, peer: { send(m: object): void }) => void,
): Promise<{ client: Transport; seen: Msg[]; send(m: object): void }> {
  const [client, server] = createLinkedPair();
  const seen: Msg[] = [];
  const peer = { send: (m: object) => void server.send(m as never) };
  server.onmessage = (v) => {
    seen.push(v as Msg);
    answer(v as Msg, peer);
  };
  await server.start();
  return { client, seen, send: peer.send };
}

const discover = (m: Msg) => ({
  jsonrpc: '2.0',
  id: m.id,
  result: {
    resultType: 'complete',
    supportedVersions: ['2026-07-28'],
    capabilities: { tools: {} },
    ttlMs: 0,
    cacheScope: 'private',
  },
});
const initialized = (m: Msg, version: string) => ({
  jsonrpc: '2.0',
  id: m.id,
  result: { protocolVersion: version, capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } },
});
const isResponse = (m: Msg) => m.method === undefined && ('result' in m || 'error' in m);
/** Lets messages in flight arrive (for checks that something did NOT happen). */
const settle = () => new Promise((r) => setTimeout(r, 50));
/** Waits, bounded, until `cond` holds (for checks that something did happen). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}
const elicit = (id: string | number) => ({
  jsonrpc: '2.0',
  id,
  method: 'elicitation/create',
  params: { message: 'name?', requestedSchema: { type: 'object', properties: { n: { type: 'string' } } } },
});

describe('server→client requests on a 2026-07-28 connection', () => {
  it('are dropped (never run, never answered) when they arrive on an HTTP response stream', async () => {
    const posts: Msg[] = [];
    const http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const m = JSON.parse(body) as Msg;
        posts.push(m);
        if (m.method === 'server/discover') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify(discover(m)));
        }
        if (m.method === 'tools/call') {
          // A modern server MUST NOT send requests: this one slips one into the response stream.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify(elicit('srv-1'))}\n\n`);
          return void setTimeout(
            () =>
              res.end(
                `data: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { resultType: 'complete', content: [{ type: 'text', text: 'done' }] } })}\n\n`,
              ),
            50,
          );
        }
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    let calls = 0;
    const problems: Error[] = [];
    const client = new Client(
      { name: 'c', version: '1' },
      {
        version: '2026-07-28',
        handlers: { elicitation: () => (calls++, { action: 'decline' }) },
        onprotocolerror: (e) => problems.push(e),
      },
    );
    await client.connect(
      new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
    );
    const r = await client.callTool('t');
    assert.equal((r.content[0] as { text: string }).text, 'done');
    await settle();
    assert.equal(calls, 0, 'the elicitation handler never ran');
    assert.equal(posts.filter(isResponse).length, 0, 'the client wrote no JSON-RPC response');
    assert.ok(
      problems.some((e) => /elicitation\/create/.test(e.message)),
      'reported as a protocol problem',
    );
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('are dropped on a message transport (stdio-like) too', async () => {
    const raw = await rawPeer((m, p) => m.method === 'server/discover' && p.send(discover(m)));
    let calls = 0;
    const client = new Client(
      { name: 'c', version: '1' },
      {
        version: '2026-07-28',
        handlers: { elicitation: () => (calls++, { action: 'decline' }), roots: () => (calls++, { roots: [] }) },
      },
    );
    await client.connect(raw.client);
    raw.send(elicit(1));
    raw.send({ jsonrpc: '2.0', id: 2, method: 'roots/list' });
    raw.send({ jsonrpc: '2.0', id: 3, method: 'ping' });
    await settle();
    assert.equal(calls, 0);
    assert.equal(
      raw.seen.filter(isResponse).length,
      0,
      'not even ping is answered: 2026-07-28 clients write no responses',
    );
    await client.close();
  });
});

describe('bounds on what a server can ask', () => {
  it('legacy: at most maxConcurrentServerRequests (default 16) run at once; the rest get a JSON-RPC error', async () => {
    const raw = await rawPeer((m, p) => m.method === 'initialize' && p.send(initialized(m, '2025-11-25')));
    const release: (() => void)[] = [];
    let calls = 0;
    const client = new Client(
      { name: 'c', version: '1' },
      {
        version: 'legacy',
        handlers: { elicitation: () => (calls++, new Promise((r) => release.push(() => r({ action: 'decline' })))) },
      },
    );
    await client.connect(raw.client);
    for (let i = 0; i < 20; i++) raw.send(elicit(`e${i}`));
    await until(() => raw.seen.filter(isResponse).length === 4, 'four refusals');
    await settle();
    assert.equal(calls, 16, 'only 16 handlers run');
    const refused = raw.seen.filter(isResponse);
    assert.equal(refused.length, 4);
    for (const r of refused) {
      assert.equal(r.error?.code, -32603);
      assert.match(r.error!.message, /maxConcurrentServerRequests/);
    }
    raw.send({ jsonrpc: '2.0', id: 'p', method: 'ping' });
    await until(() => raw.seen.some((m) => m.id === 'p'), 'ping answered');
    assert.deepEqual(raw.seen.find((m) => m.id === 'p')?.result, {}, 'ping is answered even when the cap is reached');
    for (const r of release.splice(0)) r();
    await until(() => raw.seen.filter((m) => isResponse(m) && m.result).length === 17, '16 answers and the ping');
    raw.send(elicit('after'));
    await until(() => calls === 17, 'slots free up once handlers finish');
    for (const r of release.splice(0)) r();
    await client.close();
  });

  it('the option changes the cap', async () => {
    const raw = await rawPeer((m, p) => m.method === 'initialize' && p.send(initialized(m, '2025-11-25')));
    let calls = 0;
    const client = new Client(
      { name: 'c', version: '1' },
      {
        version: 'legacy',
        maxConcurrentServerRequests: 2,
        handlers: { elicitation: () => (calls++, new Promise(() => {})) },
      },
    );
    await client.connect(raw.client);
    for (let i = 0; i < 5; i++) raw.send(elicit(i));
    await until(() => raw.seen.filter(isResponse).length === 3, 'three refusals');
    await settle();
    assert.equal(calls, 2);
    assert.equal(raw.seen.filter(isResponse).length, 3);
    await client.close();
  });

  it('2026-07-28: an InputRequiredResult asking for more than maxInputRequestsPerRound (default 32) fails the call, no handler runs', async () => {
    const inputRequests: Record<string, object> = {};
    for (let i = 0; i < 10_000; i++)
      inputRequests[`k${i}`] = { method: 'elicitation/create', params: elicit(i).params };
    const raw = await rawPeer((m, p) => {
      if (m.method === 'server/discover') p.send(discover(m));
      if (m.method === 'tools/call')
        p.send({ jsonrpc: '2.0', id: m.id, result: { resultType: 'input_required', inputRequests } });
    });
    let calls = 0;
    const client = new Client(
      { name: 'c', version: '1' },
      { version: '2026-07-28', handlers: { elicitation: () => (calls++, { action: 'decline' }) } },
    );
    await client.connect(raw.client);
    await assert.rejects(
      client.callTool('t'),
      (e: unknown) =>
        e instanceof TsmcpError &&
        e.code === 'TSMCP_INPUT_REQUESTS_EXCEEDED' &&
        /maxInputRequestsPerRound/.test(e.message) &&
        /10000/.test(e.message),
    );
    assert.equal(calls, 0);
    assert.equal(raw.seen.filter((m) => m.method === 'tools/call').length, 1, 'no retry was sent');
    await client.close();
  });

  it('maxInputRequestsPerRound is an option; at the cap the round is answered', async () => {
    const inputRequests: Record<string, object> = {};
    for (let i = 0; i < 3; i++) inputRequests[`k${i}`] = { method: 'elicitation/create', params: elicit(i).params };
    const raw = await rawPeer((m, p) => {
      if (m.method === 'server/discover') p.send(discover(m));
      if (m.method === 'tools/call') {
        const done = m.params?.inputResponses !== undefined;
        p.send({
          jsonrpc: '2.0',
          id: m.id,
          result: done ? { resultType: 'complete', content: [] } : { resultType: 'input_required', inputRequests },
        });
      }
    });
    const decline = () => ({ action: 'decline' as const });
    const strict = new Client(
      { name: 'c', version: '1' },
      { version: '2026-07-28', maxInputRequestsPerRound: 2, handlers: { elicitation: decline } },
    );
    await strict.connect(raw.client);
    await assert.rejects(
      strict.callTool('t'),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INPUT_REQUESTS_EXCEEDED',
    );
    await strict.close();
    const raw2 = await rawPeer((m, p) => {
      if (m.method === 'server/discover') p.send(discover(m));
      if (m.method === 'tools/call')
        p.send({
          jsonrpc: '2.0',
          id: m.id,
          result: m.params?.inputResponses
            ? { resultType: 'complete', content: [] }
            : { resultType: 'input_required', inputRequests },
        });
    });
    const fine = new Client(
      { name: 'c', version: '1' },
      { version: '2026-07-28', maxInputRequestsPerRound: 3, handlers: { elicitation: decline } },
    );
    await fine.connect(raw2.client);
    assert.deepEqual((await fine.callTool('t')).content, []);
    await fine.close();
  });
});
