// Legacy resources/subscribe is bounded (issue 7, item 7): subscriptions per session and URI length,
// with -32602 naming the limit; unsubscribe frees a slot and a session's end frees all of it. Observed
// through Server.legacySubscriptionCount, over the memory transport and Streamable HTTP.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer, type McpServerOptions } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { connectPair } from '../helpers/pair.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const limitError = (name: string) => (e: unknown) =>
  e instanceof McpError && e.code === -32602 && e.message.includes(name);

function fileServer(options: McpServerOptions = {}) {
  const s = new McpServer({ name: 'files', version: '1' }, options);
  s.registerResourceTemplate('file', 'file:///{+path}', {}, (uri) => [{ uri, text: 'x' }]);
  return s;
}

describe('legacy resource subscriptions are bounded (memory transport)', () => {
  it('refuses the subscription over the cap, frees a slot on unsubscribe, and everything when the session ends', async () => {
    const s = fileServer({ maxResourceSubscriptions: 3 });
    const { client } = await connectPair(s, { version: '2025-11-25' });
    const first = await client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2'] }, () => {});
    const third = await client.subscribe({ resourceSubscriptions: ['file:///3', 'file:///1'] }, () => {});
    assert.equal(s.server.legacySubscriptionCount, 3, 'a URI subscribed twice is held once');
    await assert.rejects(
      client.request('resources/subscribe', { uri: 'file:///4' }),
      limitError('maxResourceSubscriptions'),
    );
    await client.request('resources/unsubscribe', { uri: 'file:///3' });
    assert.equal(s.server.legacySubscriptionCount, 2);
    await client.request('resources/subscribe', { uri: 'file:///4' });
    assert.equal(s.server.legacySubscriptionCount, 3);
    await client.close();
    await sleep(20);
    assert.equal(s.server.legacySubscriptionCount, 0);
    void first;
    void third;
  });

  it('a client subscribe that hits the cap part-way takes back what it did subscribe', async () => {
    const s = fileServer({ maxResourceSubscriptions: 2 });
    const { client } = await connectPair(s, { version: '2025-11-25' });
    await assert.rejects(
      client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2', 'file:///3'] }, () => {}),
      limitError('maxResourceSubscriptions'),
    );
    assert.equal(s.server.legacySubscriptionCount, 0);
    await client.close();
  });

  it('closing one of two client subscriptions to a URI keeps the other one served', async () => {
    const s = fileServer({ maxResourceSubscriptions: 2 });
    const { client } = await connectPair(s, { version: '2025-11-25' });
    const got: string[] = [];
    const one = await client.subscribe({ resourceSubscriptions: ['file:///1'] }, () => {});
    await client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2'] }, (_m, p) => got.push(String(p.uri)));
    await one.close();
    assert.equal(s.server.legacySubscriptionCount, 2);
    await assert.rejects(
      client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///3'] }, () => {}),
      limitError('maxResourceSubscriptions'),
    );
    assert.equal(s.server.legacySubscriptionCount, 2, 'the failed call gave back nothing it did not take');
    await s.resourceUpdated('file:///1');
    await sleep(20);
    assert.deepEqual(got, ['file:///1']);
    await client.close();
  });

  it('has a default of 1000 subscriptions and 8192-character URIs', async () => {
    const s = fileServer();
    const { client } = await connectPair(s, { version: '2025-06-18' });
    for (let i = 0; i < 1000; i++) await client.request('resources/subscribe', { uri: `file:///${i}` });
    await assert.rejects(
      client.request('resources/subscribe', { uri: 'file:///1000' }),
      limitError('maxResourceSubscriptions'),
    );
    await client.request('resources/unsubscribe', { uri: 'file:///0' });
    await client.request('resources/subscribe', { uri: `file:///${'a'.repeat(8192 - 8)}` });
    await assert.rejects(
      client.request('resources/subscribe', { uri: `file:///${'a'.repeat(8192 - 7)}` }),
      limitError('maxUriLength'),
    );
    await client.close();
  });

  it('bounds the URI of resources/read the same way, on both eras', async () => {
    for (const version of ['2026-07-28', '2025-11-25'] as const) {
      const s = fileServer({ maxUriLength: 100 });
      const { client } = await connectPair(s, { version });
      assert.equal(
        ((await client.readResource(`file:///${'a'.repeat(92)}`)).contents[0] as { text: string }).text,
        'x',
      );
      await assert.rejects(client.readResource(`file:///${'a'.repeat(93)}`), limitError('maxUriLength'), version);
      await client.close();
    }
  });

  it('bounds a subscriptions/listen filter by the same limits', async () => {
    const s = fileServer({ maxResourceSubscriptions: 2, maxUriLength: 50 });
    const { client } = await connectPair(s, { version: '2026-07-28' });
    await assert.rejects(
      client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2', 'file:///3'] }, () => {}, {
        reconnect: false,
      }),
      limitError('maxResourceSubscriptions'),
    );
    await assert.rejects(
      client.subscribe({ resourceSubscriptions: [`file:///${'a'.repeat(50)}`] }, () => {}, { reconnect: false }),
      limitError('maxUriLength'),
    );
    const ok = await client.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2'] }, () => {}, {
      reconnect: false,
    });
    await ok.close();
    await client.close();
  });
});

describe('legacy resource subscriptions are bounded (Streamable HTTP)', () => {
  let http: HttpServer;
  let url: string;
  const s = fileServer({ maxResourceSubscriptions: 2 });
  before(async () => {
    http = createServer(createNodeHandler(s));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('caps each session on its own, and a DELETE frees its subscriptions', async () => {
    const a = new Client({ name: 'a', version: '1' }, { version: '2025-11-25' });
    const b = new Client({ name: 'b', version: '1' }, { version: '2025-03-26' });
    await a.connect(new StreamableHttpClientTransport(url));
    await b.connect(new StreamableHttpClientTransport(url));
    await a.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2'] }, () => {});
    await assert.rejects(
      a.request('resources/subscribe', { uri: 'file:///3' }),
      limitError('maxResourceSubscriptions'),
    );
    await b.subscribe({ resourceSubscriptions: ['file:///1', 'file:///2'] }, () => {});
    assert.equal(s.server.legacySubscriptionCount, 4);
    await a.close();
    assert.equal(s.server.legacySubscriptionCount, 2);
    await b.close();
    assert.equal(s.server.legacySubscriptionCount, 0);
  });
});
