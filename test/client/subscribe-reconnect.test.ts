// subscriptions/listen over Streamable HTTP: acknowledged, filtered, and listened to again when the
// stream drops, so later changes still arrive.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { InMemoryEventStore, StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('listen subscriptions over HTTP', () => {
  it('reconnects after the stream drops and keeps delivering', async () => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('first', {}, () => ({ content: [] }));
    const http = createServer(createNodeHandler(server, { keepAliveMs: 100 }));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(new StreamableHttpClientTransport(url));
    const events: string[] = [];
    let reconnects = 0;
    const sub = await client.subscribe({ toolsListChanged: true, promptsListChanged: true }, (m) => events.push(m), {
      onreconnect: () => reconnects++,
    });
    assert.deepEqual(sub.acknowledged, { toolsListChanged: true }, 'prompts are not offered, so not acknowledged');
    server.registerTool('second', {}, () => ({ content: [] }));
    await until(() => events.length === 1);
    http.closeAllConnections(); // the stream drops
    await until(() => reconnects === 1);
    server.registerTool('third', {}, () => ({ content: [] }));
    await until(() => events.length === 2);
    assert.deepEqual(events, ['notifications/tools/list_changed', 'notifications/tools/list_changed']);
    await sub.close();
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('legacy session: the GET stream reconnects with Last-Event-ID and replays what was missed', async () => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('first', {}, () => ({ content: [] }));
    const http = createServer(createNodeHandler(server, { keepAliveMs: 100 }));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
    await client.connect(new StreamableHttpClientTransport(url, { reconnect: { initialDelayMs: 50 } }));
    const events: string[] = [];
    const sub = await client.subscribe({ toolsListChanged: true }, (m) => events.push(m));
    await new Promise((r) => setTimeout(r, 100)); // the GET stream opens after initialized
    server.registerTool('second', {}, () => ({ content: [] }));
    await until(() => events.length === 1);
    http.closeAllConnections(); // the GET stream drops...
    server.registerTool('third', {}, () => ({ content: [] })); // ...and this change happens while it is down
    await until(() => events.length === 2);
    assert.deepEqual(events, ['notifications/tools/list_changed', 'notifications/tools/list_changed']);
    await sub.close();
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('legacy session: a GET stream that cannot be resumed (400) is opened afresh', async () => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('t0', {}, () => ({ content: [] }));
    // One event kept per stream: changes made while the client is away push out the one it saw last.
    const http = createServer(
      createNodeHandler(server, { keepAliveMs: 100, eventStore: new InMemoryEventStore({ maxEventsPerStream: 1 }) }),
    );
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
    await client.connect(new StreamableHttpClientTransport(url, { reconnect: { initialDelayMs: 50 } }));
    const events: string[] = [];
    const sub = await client.subscribe({ toolsListChanged: true }, (m) => events.push(m));
    await new Promise((r) => setTimeout(r, 100)); // the GET stream opens after initialized
    server.registerTool('t1', {}, () => ({ content: [] }));
    await until(() => events.length === 1);
    http.closeAllConnections();
    server.registerTool('t2', {}, () => ({ content: [] }));
    server.registerTool('t3', {}, () => ({ content: [] }));
    // Changes after the reconnect arrive on the fresh stream.
    for (let i = 4; i < 40 && events.length < 2; i++) {
      server.registerTool(`t${i}`, {}, () => ({ content: [] }));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(events.length >= 2, 'a later change arrived after the stream could not be resumed');
    await sub.close();
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
});
