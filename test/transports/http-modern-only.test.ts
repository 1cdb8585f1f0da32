// A modern-only HTTP endpoint (`legacy: false`, or a Server without legacy versions) refuses `initialize`
// with 400 and -32022 listing the versions it speaks (the spec's "modern-only server SHOULD list its
// supported versions in the error it returns to initialize"), instead of a session-less 200.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import type { HttpServerOptions } from '../../src/transports/http/core.js';
import { tapHandler } from '../helpers/http-tap.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

for (const [label, serverOptions, httpOptions] of [
  ['legacy: false', {}, { legacy: false }],
  ['versions: 2026-07-28 only', { versions: ['2026-07-28' as const] }, {}],
] as const) {
  describe(`modern-only HTTP endpoint (${label})`, () => {
    let http: HttpServer;
    let url: string;
    const recorder = new WireRecorder({ only: 'server->client', revision: '2026-07-28' });
    before(async () => {
      const server = new McpServer({ name: 'modern-only', version: '1' }, serverOptions);
      server.registerTool('echo', { inputSchema: { type: 'object' } }, () => ({
        content: [{ type: 'text', text: 'hi' }],
      }));
      http = createServer(tapHandler(createNodeHandler(server, httpOptions as HttpServerOptions), () => recorder));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    });
    after(async () => {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      recorder.assertClean();
    });

    it('answers initialize with 400, -32022 and its supported versions, and opens no session', async () => {
      for (const headers of [HEADERS, { ...HEADERS, 'mcp-protocol-version': '2025-11-25' }]) {
        const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(INITIALIZE) });
        assert.equal(r.status, 400);
        assert.equal(r.headers.get('mcp-session-id'), null);
        const body = (await r.json()) as {
          id: number;
          error: { code: number; data: { supported: string[]; requested: string } };
        };
        assert.equal(body.id, 1);
        assert.equal(body.error.code, -32022);
        assert.deepEqual(body.error.data, { supported: ['2026-07-28'], requested: '2025-11-25' });
      }
    });

    it('tsmcp client: auto connects modern; legacy mode gets McpError -32022 naming the versions', async () => {
      const auto = new Client({ name: 'c', version: '1' });
      await auto.connect(new StreamableHttpClientTransport(url));
      assert.equal(auto.era, 'modern');
      assert.equal((await auto.callTool('echo')).content.length, 1);
      await auto.close();
      const legacy = new Client({ name: 'c', version: '1' }, { version: 'legacy' });
      await assert.rejects(
        legacy.connect(new StreamableHttpClientTransport(url)),
        (e: unknown) => e instanceof McpError && e.code === -32022 && JSON.stringify(e.data).includes('2026-07-28'),
      );
    });

    it('official v2 client: auto connects modern; legacy mode fails with the -32022 answer', async () => {
      const auto = new V2Client({ name: 'v2', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await auto.connect(new V2Http(new URL(url)));
      assert.equal((await auto.callTool({ name: 'echo', arguments: {} })).isError, undefined);
      await auto.close();
      const legacy = new V2Client({ name: 'v2', version: '1' }, { versionNegotiation: { mode: 'legacy' } });
      await assert.rejects(legacy.connect(new V2Http(new URL(url))), (e: unknown) =>
        /-32022|2026-07-28/.test(String((e as Error).message) + JSON.stringify((e as { data?: unknown }).data ?? null)),
      );
    });
  });
}
