// The deprecated WebSocket transport: `mcp` subprotocol, both eras over one socket server, the official
// v1 WebSocket client as a peer, and exactly one DEP001 warning however often it is used.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, WebSocket } from 'ws';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport as V1WebSocket } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Client } from '../../src/entries/client.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

describe('WebSocket transport (deprecated)', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  let wss: WebSocketServer;
  let url: string;
  let mod: typeof import('../../src/transports/websocket/index.js');

  before(async () => {
    process.on('warning', onWarning);
    mod = await import('../../src/transports/websocket/index.js');
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.length, 0, 'importing warns about nothing');
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: mod.pickMcpSubprotocol });
    wss.on('connection', mod.createWebSocketHandler(createEverythingServer()));
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  });
  after(async () => {
    process.off('warning', onWarning);
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  for (const version of ['auto', '2025-06-18'] as const) {
    it(`serves the tsmcp client (${version})`, async () => {
      const recorder = new WireRecorder();
      const client = new Client({ name: 'ws', version: '1' }, { version });
      await client.connect(recordTransport(new mod.WebSocketClientTransport(url), recorder, 'client'));
      assert.equal(client.era, version === 'auto' ? 'modern' : 'legacy');
      assert.equal(
        ((await client.callTool('test_simple_text')).content[0] as { text: string }).text,
        'This is a simple text response for testing.',
      );
      const seen: number[] = [];
      await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
      assert.deepEqual(seen, [0, 50, 100]);
      await client.close();
      recorder.assertClean();
    });
  }

  it('serves the official v1 WebSocket client', async () => {
    // The v1 client uses the global WebSocket, which Node 20 lacks; ws provides the same API.
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    const c = new V1Client({ name: 'v1-ws', version: '1' });
    await c.connect(new V1WebSocket(new URL(url)));
    const r = (await c.callTool({ name: 'test_simple_text', arguments: {} })) as { content: { text: string }[] };
    assert.equal(r.content[0]!.text, 'This is a simple text response for testing.');
    await c.close();
  });

  it('refuses sockets without the mcp subprotocol', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const s = new WebSocket(url, 'chat');
      s.once('open', () => resolve(`open:${s.protocol}`));
      s.once('error', (e) => resolve(`error:${e.message}`));
      s.once('close', () => resolve('closed'));
    });
    assert.doesNotMatch(outcome, /^open:mcp/);
  });

  it('warned exactly once, with its code and the replacement', () => {
    const dep = warnings.filter((w) => (w as { code?: string }).code === 'TSMCP_DEP001');
    assert.equal(dep.length, 1);
    assert.equal(dep[0]!.name, 'DeprecationWarning');
    assert.match(dep[0]!.message, /Streamable HTTP/);
  });
});

describe('WebSocket transport (deprecated): a client that stops reading', () => {
  it('is dropped once more than maxBufferedBytes are queued for it', async () => {
    const mod = await import('../../src/transports/websocket/index.js');
    const mcp = createEverythingServer();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: mod.pickMcpSubprotocol });
    wss.on('connection', mod.createWebSocketHandler(mcp, { maxBufferedBytes: 64 * 1024 }));
    await new Promise((r) => wss.once('listening', r));
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, 'mcp');
      await new Promise((r) => ws.once('open', r));
      const answered = new Promise((r) => ws.once('message', r));
      ws.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        }),
      );
      await answered;
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      await new Promise((r) => setTimeout(r, 50));
      (ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stop reading
      const [serverSide] = [...wss.clients];
      let closed = false;
      serverSide!.once('close', () => (closed = true));
      // ~120 bytes per notification: 64 KiB plus kernel buffers is reached long before the loop ends.
      for (let batch = 0; batch < 400 && !closed; batch++) {
        for (let i = 0; i < 1000; i++) mcp.server.publish({ type: 'tools/list_changed' });
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(closed, 'the server kept queueing for a client that does not read');
      ws.terminate();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
