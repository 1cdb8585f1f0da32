// A server shutting down ends its open `subscriptions/listen` streams gracefully (CHECKLIST A10: reply
// with a SubscriptionsListenResult, resultType "complete" and _meta.subscriptionId, then close): over
// Streamable HTTP (the handler's core.close()) and over a message transport (ServerConnection.close()),
// checked on raw messages, not through tsmcp's own client.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { tapHandler } from '../helpers/http-tap.js';
import { distPath, spawnRaw } from '../helpers/raw-stdio.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const SUB = 'io.modelcontextprotocol/subscriptionId';
const listen = (id: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'subscriptions/listen',
  params: { _meta: META, notifications: { toolsListChanged: true } },
});
type Msg = {
  id?: string;
  method?: string;
  params?: { _meta?: Record<string, unknown> };
  result?: { resultType?: string; _meta?: Record<string, unknown> };
  error?: unknown;
};

/** The graceful end of listen `id`: its result, complete, naming the subscription. */
function assertFinal(m: Msg | undefined, id: string) {
  assert.ok(m, `no final result for ${id}`);
  assert.equal(m.error, undefined);
  assert.equal(m.result?.resultType, 'complete');
  assert.equal(m.result?._meta?.[SUB], id);
}

describe('server shutdown ends listen streams with their result', () => {
  it('Streamable HTTP: core.close() sends each open stream its SubscriptionsListenResult, then ends it', async () => {
    const recorder = new WireRecorder({ only: 'server->client' });
    const handler = createNodeHandler(createEverythingServer());
    const http = createServer(tapHandler(handler, () => recorder));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    try {
      const open = async (id: string) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'subscriptions/listen',
          },
          body: JSON.stringify(listen(id)),
        });
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        const messages: Msg[] = [];
        let buf = '';
        /** Reads events until `done` holds or the stream ends (bounded by the stream itself). */
        const readUntil = async (done: () => boolean) => {
          while (!done()) {
            const { value, done: end } = await reader.read();
            if (end) return true;
            buf += value;
            for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
              const data = buf
                .slice(0, i)
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).trim())
                .join('');
              buf = buf.slice(i + 2);
              if (data) messages.push(JSON.parse(data) as Msg);
            }
          }
          return false;
        };
        await readUntil(() => messages.some((m) => m.method === 'notifications/subscriptions/acknowledged'));
        return { messages, readUntil };
      };
      const a = await open('listen-a');
      const b = await open('listen-b');
      handler.core.close();
      for (const [s, id] of [
        [a, 'listen-a'],
        [b, 'listen-b'],
      ] as const) {
        const ended = await s.readUntil(() => false); // to the end of the stream
        assert.equal(ended, true);
        assertFinal(
          s.messages.find((m) => m.id === id),
          id,
        );
        assert.equal(s.messages.at(-1)?.id, id, 'the result is the last event');
      }
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
    recorder.assertClean();
  });

  it('message transport: ServerConnection.close() answers each listen before the transport closes', async () => {
    const server = createEverythingServer();
    const [ct, st] = createLinkedPair();
    const recorder = new WireRecorder();
    const conn = await server.connect(recordTransport(st, recorder, 'server'));
    const client = recordTransport(ct, recorder, 'client');
    const seen: Msg[] = [];
    let closed = false;
    const waiting: (() => void)[] = [];
    client.onmessage = (v) => {
      if (!closed) seen.push(v as Msg);
      waiting.splice(0).forEach((w) => w());
    };
    client.onclose = () => {
      closed = true;
    };
    await client.start();
    const arrived = async (cond: () => boolean) => {
      // Each wait ends at the next message or after 5 s (a bound on a hang, not a timing assertion).
      for (let i = 0; i < 100 && !cond(); i++)
        await new Promise<void>((r) => (waiting.push(r), setTimeout(r, 5000).unref()));
    };
    await client.send(listen('one') as never);
    await client.send(listen('two') as never);
    await arrived(() => seen.filter((m) => m.method === 'notifications/subscriptions/acknowledged').length === 2);

    await conn.close();
    for (const id of ['one', 'two'])
      assertFinal(
        seen.find((m) => m.id === id),
        id,
      );
    assert.equal(closed, true);
    recorder.assertClean();
  });

  it('stdio: a server process closing its connection on SIGTERM answers the listen, then exits', async () => {
    const recorder = new WireRecorder({ only: 'server->client' });
    const s = spawnRaw(distPath('test/fixtures/stdio-shutdown-server.js'), [], {}, recorder);
    try {
      s.send(listen('stdio-listen'));
      assert.equal((await s.next()).method, 'notifications/subscriptions/acknowledged');
      const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
      s.child.kill('SIGTERM');
      assertFinal((await s.next()) as Msg, 'stdio-listen');
      assert.equal(await exited, 0);
    } finally {
      await s.close();
    }
    recorder.assertClean();
  });
});
