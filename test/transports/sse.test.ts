// The deprecated 2024-11-05 HTTP+SSE transport: served on opt-in (warning once, with its code), driven
// by the official v1 SSE client, and reached by the tsmcp client's automatic fallback (no warning).
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client } from '../../src/entries/client.js';
import { createSseHandler } from '../../src/transports/sse/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';

describe('HTTP+SSE (2024-11-05, deprecated)', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  let http: HttpServer;
  let base: string;
  before(async () => {
    process.on('warning', onWarning);
    const handler = createSseHandler(createEverythingServer(), { messagesPath: '/messages' });
    createSseHandler(createEverythingServer()); // a second call: still one warning
    http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/sse' || path === '/messages') return handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  after(async () => {
    process.off('warning', onWarning);
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('warns once, with a stable code and the replacement, when the deprecated API is called', async () => {
    await new Promise((r) => setImmediate(r));
    const dep = warnings.filter((w) => (w as { code?: string }).code === 'TSMCP_DEP003');
    assert.equal(dep.length, 1);
    assert.equal(dep[0]!.name, 'DeprecationWarning');
    assert.match(dep[0]!.message, /Streamable HTTP/);
  });

  it('serves the official v1 SSE client', async () => {
    const c = new V1Client({ name: 'v1-sse', version: '1' });
    await c.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    const tools = await c.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'test_simple_text'));
    const r = (await c.callTool({ name: 'test_simple_text', arguments: {} })) as { content: { text: string }[] };
    assert.equal(r.content[0]!.text, 'This is a simple text response for testing.');
    await c.close();
  });

  it('is reached by the tsmcp client’s fallback (discover and initialize refused), without a warning', async () => {
    const before = warnings.length;
    const client = new Client({ name: 'fallback', version: '1' }, { version: 'auto' });
    await client.connect(new StreamableHttpClientTransport(`${base}/sse`));
    assert.equal(client.era, 'legacy');
    assert.equal(
      ((await client.callTool('test_simple_text')).content[0] as { text: string }).text,
      'This is a simple text response for testing.',
    );
    const seen: number[] = [];
    await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
    assert.deepEqual(seen, [0, 50, 100]);
    await client.close();
    assert.equal(warnings.length, before);
  });

  it('answers a POST for an unknown session with 404', async () => {
    const r = await fetch(`${base}/messages?sessionId=nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 404);
  });
});
