// Streamable HTTP server, both fronts: the spec's statuses and errors for bad input, sessions, streams,
// resumption and disconnects; the server keeps serving throughout.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function modernHeaders(method: string, name?: string): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
  };
  if (name !== undefined) h['mcp-name'] = name;
  return h;
}
const call = (id: number | string, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { _meta: META, name, arguments: args },
});

describe('Streamable HTTP server (node front)', () => {
  let http: HttpServer;
  let url: string;
  let cancelled = 0;
  before(async () => {
    const server = createEverythingServer();
    server.registerTool('slow', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 10_000);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), cancelled++, r()));
      });
      return { content: [] };
    });
    http = createServer(createNodeHandler(server, { maxBodyBytes: 64 * 1024, bodyTimeoutMs: 300, keepAliveMs: 50 }));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const alive = async () => {
    const r = await post(call('alive', 'test_simple_text'), modernHeaders('tools/call', 'test_simple_text'));
    assert.equal(r.status, 200);
    assert.equal(
      ((await r.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text,
      'This is a simple text response for testing.',
    );
  };

  it('answers a modern request with JSON, and streams SSE when progress flows', async () => {
    const r = await post(call(1, 'test_simple_text'), modernHeaders('tools/call', 'test_simple_text'));
    assert.equal(r.headers.get('content-type'), 'application/json');
    const s = await post(
      {
        ...call(2, 'test_tool_with_progress'),
        params: { ...call(2, 'x').params, name: 'test_tool_with_progress', _meta: { ...META, progressToken: 'p' } },
      },
      modernHeaders('tools/call', 'test_tool_with_progress'),
    );
    assert.equal(s.headers.get('content-type'), 'text/event-stream');
    assert.equal(s.headers.get('x-accel-buffering'), 'no');
    const text = await s.text();
    const events = text
      .split('\n\n')
      .filter((b) => b.includes('data:'))
      .map((b) => JSON.parse(b.slice(b.indexOf('data:') + 5)));
    assert.deepEqual(
      events.map((e) => e.method ?? 'result'),
      ['notifications/progress', 'notifications/progress', 'notifications/progress', 'result'],
    );
  });

  it('rejects missing and mismatched headers with 400 and -32020, keeping the id', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...modernHeaders('tools/call', 'test_simple_text'), 'mcp-protocol-version': '' }, /MCP-Protocol-Version/],
      [(({ 'mcp-method': _m, ...h }) => h)(modernHeaders('tools/call', 'test_simple_text')), /Mcp-Method/],
      [modernHeaders('TOOLS/CALL', 'test_simple_text'), /Mcp-Method/],
      [modernHeaders('tools/call'), /Mcp-Name/],
      [modernHeaders('tools/call', 'other_tool'), /Mcp-Name/],
      [modernHeaders('tools/call', '=?base64?!!!?='), /malformed/],
    ];
    for (const [headers, re] of cases) {
      const r = await post(call(7, 'test_simple_text'), headers);
      assert.equal(r.status, 400);
      const body = (await r.json()) as { id: number; error: { code: number; message: string } };
      assert.equal(body.id, 7);
      assert.equal(body.error.code, -32020);
      assert.match(body.error.message, re);
    }
    const b64 = await post(
      call(8, 'test_simple_text'),
      modernHeaders('tools/call', `=?base64?${btoa('test_simple_text')}?=`),
    );
    assert.equal(b64.status, 200);
    await alive();
  });

  it('checks Mcp-Param headers of x-mcp-header arguments', async () => {
    const h = modernHeaders('tools/call', 'test_header_param');
    const missing = await post(call(9, 'test_header_param', { region: 'eu', query: 'q' }), h);
    assert.equal(missing.status, 400);
    const wrong = await post(call(9, 'test_header_param', { region: 'eu', query: 'q' }), {
      ...h,
      'mcp-param-region': 'us',
    });
    assert.equal(wrong.status, 400);
    const ok = await post(call(9, 'test_header_param', { region: 'eu', query: 'q' }), {
      ...h,
      'mcp-param-region': 'eu',
    });
    assert.equal(ok.status, 200);
    const absent = await post(call(9, 'test_header_param', { query: 'q' }), h);
    assert.equal(absent.status, 200);
  });

  it('uses the statuses of the 2026 transport for protocol errors', async () => {
    const unknown = await post(
      { jsonrpc: '2.0', id: 3, method: 'no/such', params: { _meta: META } },
      modernHeaders('no/such'),
    );
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: number } }).error.code, -32601);
    const version = await post(
      {
        jsonrpc: '2.0',
        id: 4,
        method: 'server/discover',
        params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      },
      { ...modernHeaders('server/discover'), 'mcp-protocol-version': '2099-01-01' },
    );
    assert.equal(version.status, 400);
    assert.equal(((await version.json()) as { error: { code: number } }).error.code, -32022);
    const meta = await post(
      { jsonrpc: '2.0', id: 5, method: 'server/discover', params: {} },
      modernHeaders('server/discover'),
    );
    assert.equal(meta.status, 400);
    assert.equal(((await meta.json()) as { error: { code: number } }).error.code, -32602);
    const cap = await post(call(6, 'test_missing_capability'), modernHeaders('tools/call', 'test_missing_capability'));
    assert.equal(cap.status, 400);
    assert.equal(((await cap.json()) as { error: { code: number } }).error.code, -32021);
    const tool = await post(call(7, 'nope'), modernHeaders('tools/call', 'nope'));
    assert.equal(tool.status, 200);
    assert.equal(((await tool.json()) as { error: { code: number } }).error.code, -32602);
  });

  it('rejects bad bodies, media types and methods with the right status', async () => {
    const bad = await post('{"jsonrpc": "2.0", "id": 1, "meth', modernHeaders('tools/list'));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32700);
    const big = await post(
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META, pad: 'x'.repeat(100 * 1024) } },
      modernHeaders('tools/list'),
    );
    assert.equal(big.status, 413);
    const type = await post(call(1, 'test_simple_text'), {
      ...modernHeaders('tools/call', 'test_simple_text'),
      'content-type': 'text/plain',
    });
    assert.equal(type.status, 415);
    const accept = await post(call(1, 'test_simple_text'), {
      ...modernHeaders('tools/call', 'test_simple_text'),
      accept: 'application/json',
    });
    assert.equal(accept.status, 406);
    const batch = await post([call(1, 'test_simple_text')], modernHeaders('tools/call', 'test_simple_text'));
    assert.equal(batch.status, 400);
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const del = await fetch(url, { method: 'DELETE' });
    assert.equal(del.status, 405);
    const note = await post(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      modernHeaders('notifications/cancelled'),
    );
    assert.equal(note.status, 202);
    await alive();
  });

  it('refuses foreign Origins and Hosts with 403', async () => {
    const origin = await post(call(1, 'test_simple_text'), {
      ...modernHeaders('tools/call', 'test_simple_text'),
      origin: 'https://evil.example',
    });
    assert.equal(origin.status, 403);
    const same = await post(call(1, 'test_simple_text'), {
      ...modernHeaders('tools/call', 'test_simple_text'),
      origin: 'http://localhost:1234',
    });
    assert.equal(same.status, 200);
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      const r = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { ...modernHeaders('tools/list'), host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      r.on('error', reject);
      r.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }));
    });
    assert.equal(status, 403);
  });

  it('cancels the handler when the client closes the stream', async () => {
    const before = cancelled;
    const ac = new AbortController();
    const p = post(call(1, 'slow'), modernHeaders('tools/call', 'slow')).catch(() => undefined);
    await sleep(50);
    ac.abort();
    // fetch has no per-request abort here; close the socket by aborting with a fresh request instead
    const r = fetch(url, {
      method: 'POST',
      headers: modernHeaders('tools/call', 'slow'),
      body: JSON.stringify(call(2, 'slow')),
      signal: ac.signal,
    }).catch(() => undefined);
    await r;
    const ac2 = new AbortController();
    const q = fetch(url, {
      method: 'POST',
      headers: modernHeaders('tools/call', 'slow'),
      body: JSON.stringify(call(3, 'slow')),
      signal: ac2.signal,
    }).catch(() => undefined);
    await sleep(100);
    ac2.abort();
    await q;
    for (let i = 0; i < 40 && cancelled === before; i++) await sleep(25);
    assert.ok(cancelled > before);
    void p;
    await alive();
  });

  it('times out a client that never finishes its body (408)', async () => {
    const u = new URL(url);
    const answer = await new Promise<string>((resolve) => {
      const sock = connect(Number(u.port), u.hostname, () => {
        sock.write(
          `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 500\r\n\r\n{"jsonrpc":`,
        );
      });
      let data = '';
      sock.on('data', (c) => {
        data += c.toString();
        if (data.includes('\r\n\r\n')) sock.destroy();
      });
      sock.on('close', () => resolve(data));
      setTimeout(() => sock.destroy(), 3000);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    await alive();
  });

  describe('legacy sessions on the same endpoint', () => {
    const legacyHeaders = (session?: string, version = '2025-11-25'): Record<string, string> => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': version,
      ...(session ? { 'mcp-session-id': session } : {}),
    });
    const init = async (version = '2025-11-25') => {
      const r = await post(
        {
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      );
      assert.equal(r.status, 200);
      const session = r.headers.get('mcp-session-id')!;
      assert.match(session, /^[\x21-\x7e]{32,}$/);
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, legacyHeaders(session, version));
      return session;
    };

    it('opens a session, serves it, and ends it with DELETE (then 404)', async () => {
      const s = await init();
      const r = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, legacyHeaders(s));
      assert.ok(((await r.json()) as { result: { tools: unknown[] } }).result.tools.length > 5);
      const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': s } });
      assert.equal(del.status, 200);
      const after = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, legacyHeaders(s));
      assert.equal(after.status, 404);
      const unknown = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, legacyHeaders('no-such-session'));
      assert.equal(unknown.status, 404);
      const none = await post(
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        (({ 'mcp-session-id': _s, ...h }) => h)(legacyHeaders('x')),
      );
      assert.equal(none.status, 400);
    });

    it('refuses a protocol version other than the session’s', async () => {
      const s = await init('2025-06-18');
      const r = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, legacyHeaders(s, '2025-11-25'));
      assert.equal(r.status, 400);
    });

    it('answers 2025-03-26 batches in one array', async () => {
      const s = await init('2025-03-26');
      const r = await post(
        [
          { jsonrpc: '2.0', id: 1, method: 'tools/list' },
          { jsonrpc: '2.0', id: 2, method: 'prompts/list' },
        ],
        legacyHeaders(s, '2025-03-26'),
      );
      const body = (await r.json()) as { id: number }[];
      assert.deepEqual(body.map((m) => m.id).sort(), [1, 2]);
    });

    it('serves concurrent requests on one session', async () => {
      const s = await init();
      const rs = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          post({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'test_simple_text' } }, legacyHeaders(s)),
        ),
      );
      assert.deepEqual(
        rs.map((r) => r.status),
        [200, 200, 200, 200, 200],
      );
    });

    it('delivers list changes on the GET stream and resumes a stream with Last-Event-ID', async () => {
      const s = await init();
      const ac = new AbortController();
      const get = await fetch(url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': s, 'mcp-protocol-version': '2025-11-25' },
        signal: ac.signal,
      });
      assert.equal(get.status, 200);
      const reader = get.body!.getReader();
      await post(
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_trigger_tool_change' } },
        legacyHeaders(s),
      );
      let text = '';
      const dec = new TextDecoder();
      for (let i = 0; i < 20 && !text.includes('list_changed'); i++) text += dec.decode((await reader.read()).value);
      assert.match(text, /notifications\/tools\/list_changed/);
      const firstId = /id: (\S+)/.exec(text)![1]!;
      ac.abort();
      await post(
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'test_trigger_tool_change' } },
        legacyHeaders(s),
      );
      const ac2 = new AbortController();
      const resumed = await fetch(url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': s, 'last-event-id': firstId },
        signal: ac2.signal,
      });
      const r2 = resumed.body!.getReader();
      let replay = '';
      while ((replay.match(/list_changed/g) ?? []).length < 2) replay += dec.decode((await r2.read()).value);
      ac2.abort();
      assert.equal(
        (replay.match(/list_changed/g) ?? []).length,
        2,
        'both changes, the one seen and the one missed while away',
      );
      const bad = await fetch(url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': s, 'last-event-id': 'nope.1' },
      });
      assert.equal(
        bad.status,
        400,
        'the session is fine; only that stream cannot be resumed (404 would end the session)',
      );
    });

    it('sends server-to-client requests on the POST stream and takes the answer by POST', async () => {
      const r = await post(
        {
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: { elicitation: {} },
            clientInfo: { name: 't', version: '1' },
          },
        },
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      );
      const s = r.headers.get('mcp-session-id')!;
      const stream = await post(
        {
          jsonrpc: '2.0',
          id: 5,
          method: 'tools/call',
          params: { name: 'test_elicitation', arguments: { message: 'hi?' } },
        },
        legacyHeaders(s),
      );
      const reader = stream.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      while (!text.includes('elicitation/create')) text += dec.decode((await reader.read()).value);
      const ask = JSON.parse(/data: (\{.*"elicitation\/create".*\})/.exec(text)![1]!) as { id: string };
      const ack = await post(
        { jsonrpc: '2.0', id: ask.id, result: { action: 'accept', content: { username: 'ada', email: 'a@b.c' } } },
        legacyHeaders(s),
      );
      assert.equal(ack.status, 202);
      while (!text.includes('"id":5')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
      assert.match(text, /action=accept/);
    });
  });
});

describe('Streamable HTTP server (web-standard front)', () => {
  const handler = createWebHandler(createEverythingServer());
  const req = (body: unknown, headers: Record<string, string>) =>
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: { host: 'localhost', ...headers },
      body: JSON.stringify(body),
    });

  it('answers with Response objects: JSON, SSE, errors', async () => {
    const r = await handler(req(call(1, 'test_simple_text'), modernHeaders('tools/call', 'test_simple_text')));
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { result: { resultType: string } }).result.resultType, 'complete');
    const sse = await handler(
      req(
        {
          ...call(2, 'test_tool_with_progress'),
          params: { _meta: { ...META, progressToken: 1 }, name: 'test_tool_with_progress' },
        },
        modernHeaders('tools/call', 'test_tool_with_progress'),
      ),
    );
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    assert.equal((await sse.text()).match(/notifications\/progress/g)?.length, 3);
    const nf = await handler(
      req({ jsonrpc: '2.0', id: 3, method: 'nope', params: { _meta: META } }, modernHeaders('nope')),
    );
    assert.equal(nf.status, 404);
    const get = await handler(new Request('http://localhost/mcp', { headers: { accept: 'text/event-stream' } }));
    assert.equal(get.status, 405);
  });

  it('serves a legacy session too', async () => {
    const init = await handler(
      req(
        {
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      ),
    );
    const s = init.headers.get('mcp-session-id')!;
    assert.ok(s);
    const list = await handler(
      req(
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': s,
          'mcp-protocol-version': '2025-06-18',
        },
      ),
    );
    assert.ok(((await list.json()) as { result: { tools: unknown[] } }).result.tools.length > 5);
  });
});
