// HTTP server options: opt-in CORS that exposes the MCP headers, idle session expiry (then 404),
// a legacy client that sends no MCP-Protocol-Version (read as 2025-03-26), and an explicit Host list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createWebHandler } from '../../src/transports/http/web.js';

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  host: 'localhost',
};
const init = (version: string) => ({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } },
});
const req = (body: unknown, headers: Record<string, string>) =>
  new Request('http://localhost/mcp', { method: 'POST', headers, body: JSON.stringify(body) });

describe('HTTP server options', () => {
  it('answers CORS preflights and exposes the MCP headers to allowed origins only', async () => {
    const h = createWebHandler(createEverythingServer(), {
      cors: { origin: 'https://app.example' },
      allowedOrigins: ['https://app.example'],
    });
    const pre = await h(
      new Request('http://localhost/mcp', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', host: 'localhost' },
      }),
    );
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /mcp-protocol-version/);
    const r = await h(req(init('2025-11-25'), { ...JSON_HEADERS, origin: 'https://app.example' }));
    assert.match(r.headers.get('access-control-expose-headers') ?? '', /mcp-session-id/);
    const other = await h(req(init('2025-11-25'), { ...JSON_HEADERS, origin: 'https://other.example' }));
    assert.equal(other.status, 403);
    const off = createWebHandler(createEverythingServer());
    assert.equal(
      (await off(new Request('http://localhost/mcp', { method: 'OPTIONS', headers: { host: 'localhost' } }))).status,
      405,
    );
  });

  it('ends idle sessions: later requests get 404', async () => {
    const h = createWebHandler(createEverythingServer(), { sessionIdleMs: 50 });
    const s = (await h(req(init('2025-11-25'), JSON_HEADERS))).headers.get('mcp-session-id')!;
    const ok = await h(
      req(
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { ...JSON_HEADERS, 'mcp-session-id': s, 'mcp-protocol-version': '2025-11-25' },
      ),
    );
    assert.equal(ok.status, 200);
    await new Promise((r) => setTimeout(r, 80));
    const gone = await h(
      req(
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { ...JSON_HEADERS, 'mcp-session-id': s, 'mcp-protocol-version': '2025-11-25' },
      ),
    );
    assert.equal(gone.status, 404);
    assert.equal(h.core.sessionCount, 0);
  });

  it('serves a 2025-03-26 client that sends no protocol version header', async () => {
    const h = createWebHandler(createEverythingServer());
    const first = await h(req(init('2025-03-26'), JSON_HEADERS));
    assert.equal(
      ((await first.json()) as { result: { protocolVersion: string } }).result.protocolVersion,
      '2025-03-26',
    );
    const s = first.headers.get('mcp-session-id')!;
    const list = await h(
      req({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { ...JSON_HEADERS, 'mcp-session-id': s }),
    );
    assert.equal(list.status, 200);
    assert.ok(((await list.json()) as { result: { tools: unknown[] } }).result.tools.length > 5);
  });

  it('checks Host against an explicit allow-list', async () => {
    const h = createWebHandler(createEverythingServer(), { allowedHosts: ['mcp.example.com'] });
    assert.equal(
      (
        await h(
          new Request('http://mcp.example.com/mcp', {
            method: 'POST',
            headers: { ...JSON_HEADERS, host: 'mcp.example.com' },
            body: JSON.stringify(init('2025-11-25')),
          }),
        )
      ).status,
      200,
    );
    assert.equal(
      (
        await h(
          new Request('http://evil.example/mcp', {
            method: 'POST',
            headers: { ...JSON_HEADERS, host: 'evil.example' },
            body: JSON.stringify(init('2025-11-25')),
          }),
        )
      ).status,
      403,
    );
  });
});
