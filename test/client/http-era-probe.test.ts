// The era probe over HTTP: any error only a 2026-07-28 server sends (-32022, -32021, -32020, -32602 about
// the missing `_meta`) means "modern": the client adjusts and probes again, and never falls back to
// initialize. Raw loopback servers answer the probe each way.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { describe, it } from 'node:test';
import { Client, McpError } from '../../src/entries/client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

interface Msg {
  id?: number | string;
  method: string;
}
type Answer = { status: number; body?: unknown } | undefined;

const META = { 'io.modelcontextprotocol/serverInfo': { name: 'raw', version: '1' } };
const discovered = (id: unknown) => ({
  jsonrpc: '2.0',
  id,
  result: {
    resultType: 'complete',
    supportedVersions: ['2026-07-28'],
    capabilities: { tools: {} },
    ttlMs: 0,
    cacheScope: 'private',
    _meta: META,
  },
});
const error = (id: unknown, code: number, message: string, data?: unknown) => ({
  jsonrpc: '2.0',
  ...(id === undefined ? {} : { id }),
  error: { code, message, ...(data === undefined ? {} : { data }) },
});

/** A raw server: `probe(n, msg)` answers the n-th server/discover (from 0); initialize is answered as 2025-11-25. */
async function rawServer(
  probe: (n: number, msg: Msg) => Answer,
): Promise<{ url: string; methods: string[]; close: () => Promise<void> }> {
  const methods: string[] = [];
  let probes = 0;
  const http: HttpServer = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as Msg;
      methods.push(msg.method);
      const json = (status: number, v: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify(v));
      if (msg.method === 'initialize')
        return json(200, {
          jsonrpc: '2.0',
          id: msg.id,
          result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'raw', version: '1' } },
        });
      if (msg.id === undefined) return void res.writeHead(202).end();
      if (msg.method === 'server/discover') {
        const a = probe(probes++, msg) ?? { status: 200, body: discovered(msg.id) };
        return json(a.status, a.body);
      }
      json(200, {
        jsonrpc: '2.0',
        id: msg.id,
        result: { resultType: 'complete', tools: [], ttlMs: 0, cacheScope: 'private', _meta: META },
      });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`,
    methods,
    close: async () => {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

async function probeAgainst(probe: (n: number, msg: Msg) => Answer): Promise<{
  client: Client;
  methods: string[];
  connected: Promise<void>;
  done: () => Promise<void>;
  recorder: WireRecorder;
}> {
  const server = await rawServer(probe);
  const recorder = new WireRecorder();
  const client = new Client({ name: 'c', version: '1' });
  const connected = client.connect(
    recordTransport(new StreamableHttpClientTransport(server.url, { getStream: false }), recorder, 'client'),
  );
  return {
    client,
    methods: server.methods,
    connected,
    recorder,
    done: async () => {
      await client.close();
      await server.close();
    },
  };
}

describe('HTTP era probe: modern errors mean modern', () => {
  const firstOnly = (a: (msg: Msg) => Answer) => (n: number, msg: Msg) => (n === 0 ? a(msg) : undefined);
  const cases: [string, (n: number, msg: Msg) => Answer][] = [
    [
      '-32020 (header mismatch)',
      firstOnly((m) => ({ status: 400, body: error(m.id, -32020, 'Header mismatch: Mcp-Method') })),
    ],
    [
      '-32020 without an id (an intermediary)',
      firstOnly(() => ({ status: 400, body: error(undefined, -32020, 'Header mismatch') })),
    ],
    [
      '-32021 (missing client capability)',
      firstOnly((m) => ({
        status: 400,
        body: error(m.id, -32021, 'Missing required client capability', { requiredCapabilities: {} }),
      })),
    ],
    [
      '-32602 about the missing _meta',
      firstOnly((m) => ({
        status: 400,
        body: error(m.id, -32602, 'Missing _meta["io.modelcontextprotocol/clientCapabilities"]'),
      })),
    ],
    [
      '-32022 listing our version',
      firstOnly((m) => ({
        status: 400,
        body: error(m.id, -32022, 'Unsupported protocol version', {
          supported: ['2026-07-28'],
          requested: '2026-07-28',
        }),
      })),
    ],
  ];
  for (const [name, probe] of cases) {
    it(`${name}: probes again and ends up modern, without initialize`, async () => {
      const t = await probeAgainst(probe);
      await t.connected;
      assert.equal(t.client.era, 'modern');
      assert.equal(t.client.protocolVersion, '2026-07-28');
      assert.deepEqual(t.methods, ['server/discover', 'server/discover']);
      await t.client.listTools();
      t.recorder.assertClean();
      await t.done();
    });
  }

  it('a modern error on every probe fails the connection with it, still without initialize', async () => {
    const t = await probeAgainst((_n, m) => ({
      status: 400,
      body: error(m.id, -32021, 'Missing required client capability', { requiredCapabilities: { sampling: {} } }),
    }));
    await assert.rejects(t.connected, (e: unknown) => e instanceof McpError && e.code === -32021);
    assert.ok(!t.methods.includes('initialize'), t.methods.join());
    assert.equal(t.methods.length, 2, 'one probe and one retry');
    await t.done();
  });

  it('-32022 listing only legacy versions: initialize with the one offered', async () => {
    const t = await probeAgainst((_n, m) => ({
      status: 400,
      body: error(m.id, -32022, 'Unsupported protocol version', { supported: ['2025-11-25'], requested: '2026-07-28' }),
    }));
    await t.connected;
    assert.equal(t.client.protocolVersion, '2025-11-25');
    assert.deepEqual(t.methods.slice(0, 2), ['server/discover', 'initialize']);
    t.recorder.assertClean();
    await t.done();
  });

  it('-32601 (a legacy server) still falls back to initialize', async () => {
    const t = await probeAgainst((_n, m) => ({ status: 200, body: error(m.id, -32601, 'Method not found') }));
    await t.connected;
    assert.equal(t.client.era, 'legacy');
    assert.deepEqual(t.methods.slice(0, 2), ['server/discover', 'initialize']);
    t.recorder.assertClean();
    await t.done();
  });

  it('a -32602 about something else is a legacy answer', async () => {
    const t = await probeAgainst((_n, m) => ({
      status: 400,
      body: error(m.id, -32602, 'Invalid params: server not initialized'),
    }));
    await t.connected;
    assert.equal(t.client.era, 'legacy');
    await t.done();
  });
});
