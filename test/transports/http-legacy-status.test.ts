// HTTP statuses of JSON-RPC errors inside a legacy (≤ 2025-11-25) Streamable HTTP session: mapping error
// codes to statuses (-32601 ⇒ 404) is a 2026-07-28 rule; in a session 404 means "session gone", so a
// legacy error answer is 200 with its JSON-RPC error, and the client keeps its session.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { tapHandler } from '../helpers/http-tap.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

interface Exchange {
  method: string | undefined;
  session: string | undefined;
  status: number;
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('JSON-RPC errors inside a legacy HTTP session', () => {
  let http: HttpServer;
  let url: string;
  const exchanges: Exchange[] = [];
  const recorders = new Map<string, WireRecorder>();
  before(async () => {
    const server = new McpServer({ name: 'tools-only', version: '1' });
    server.registerTool('echo', { inputSchema: { type: 'object' } }, () => ({
      content: [{ type: 'text', text: 'hi' }],
    }));
    const handler = tapHandler(createNodeHandler(server), (session, version) => {
      const key = version === '2026-07-28' || !session ? 'modern' : session;
      let r = recorders.get(key);
      if (!r)
        recorders.set(
          key,
          (r = new WireRecorder({
            only: 'server->client',
            ...(key === 'modern' ? { revision: '2026-07-28' as const } : {}),
          })),
        );
      return r;
    });
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      res.on('finish', () => {
        let method: string | undefined;
        try {
          method = (JSON.parse(body) as { method?: string }).method;
        } catch {
          // GET/DELETE or not JSON
        }
        exchanges.push({
          method,
          session: req.headers['mcp-session-id'] as string | undefined,
          status: res.statusCode,
        });
      });
      handler(req, res);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
    for (const r of recorders.values()) r.assertClean();
  });

  it('tsmcp client (legacy): an unknown method is McpError -32601 with HTTP 200, and the session is kept', async () => {
    exchanges.length = 0;
    const client = new Client({ name: 'c', version: '1' }, { version: 'legacy' });
    await client.connect(new StreamableHttpClientTransport(url));
    await client.callTool('echo');
    await assert.rejects(client.listPrompts(), (e: unknown) => e instanceof McpError && e.code === -32601);
    await assert.rejects(client.request('no/such/method'), (e: unknown) => e instanceof McpError && e.code === -32601);
    // Still the same session afterwards: the next call needs no new initialize.
    await client.callTool('echo');
    await client.close();
    const posts = exchanges.filter((x) => x.method !== undefined);
    assert.equal(posts.filter((x) => x.method === 'initialize').length, 1, 'exactly one initialize on the wire');
    const failed = posts.filter((x) => x.method === 'prompts/list' || x.method === 'no/such/method');
    assert.deepEqual(
      failed.map((x) => x.status),
      [200, 200],
    );
    const sessions = new Set(posts.filter((x) => x.method !== 'initialize').map((x) => x.session));
    assert.equal(sessions.size, 1, 'every request after initialize used the one session');
  });

  it('official v1 client: an unknown method is -32601 (not an HTTP error)', async () => {
    const c = new V1Client({ name: 'v1', version: '1' });
    await c.connect(new V1Http(new URL(url)));
    await assert.rejects(c.listPrompts(), (e: unknown) => (e as { code?: number }).code === -32601);
    await assert.rejects(
      c.complete({ ref: { type: 'ref/prompt', name: 'x' }, argument: { name: 'a', value: '' } }),
      (e: unknown) => (e as { code?: number }).code === -32601,
    );
    assert.equal((await c.callTool({ name: 'echo', arguments: {} })).isError, undefined);
    await c.close();
  });

  it('every JSON-RPC error answer of a legacy session is HTTP 200; transport faults keep their 4xx', async () => {
    const init = await fetch(url, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    assert.equal(init.status, 200);
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const h = { ...HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    await fetch(url, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    }).then((r) => r.text());
    const cases: [string, unknown, number][] = [
      ['unknown method', { method: 'prompts/list' }, -32601],
      ['modern-only method', { method: 'server/discover' }, -32601],
      ['un-advertised logging', { method: 'logging/setLevel', params: { level: 'info' } }, -32601],
      ['un-advertised subscribe', { method: 'resources/subscribe', params: { uri: 'file:///a' } }, -32601],
      ['invalid params', { method: 'tools/call', params: {} }, -32602],
      ['unknown tool', { method: 'tools/call', params: { name: 'nope' } }, -32602],
    ];
    let id = 2;
    for (const [what, body, code] of cases) {
      const r = await fetch(url, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ jsonrpc: '2.0', id: id++, ...(body as object) }),
      });
      const answer = (await r.json()) as { error?: { code: number } };
      assert.equal(r.status, 200, what);
      assert.equal(answer.error?.code, code, what);
    }
    // What is not a JSON-RPC answer to a request keeps its transport status.
    const wrongVersion = await fetch(url, {
      method: 'POST',
      headers: { ...h, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list' }),
    });
    assert.equal(wrongVersion.status, 400);
    await wrongVersion.text();
    const gone = await fetch(url, {
      method: 'POST',
      headers: { ...h, 'mcp-session-id': 'f'.repeat(48) },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list' }),
    });
    assert.equal(gone.status, 404);
    await gone.text();
    const invalid = await fetch(url, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ jsonrpc: '2.0', id: id++ }),
    });
    assert.equal(invalid.status, 400);
    await invalid.text();
    // The modern wire keeps its mapping: -32601 is 404 there.
    const modern = await fetch(url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'prompts/list' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: id++,
        method: 'prompts/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    assert.equal(modern.status, 404);
    assert.equal(((await modern.json()) as { error: { code: number } }).error.code, -32601);
    await fetch(url, { method: 'DELETE', headers: h }).then((r) => r.text());
  });
});
