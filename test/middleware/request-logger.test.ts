// The built-in request logger (tsmcp/middleware) on a server and a client: one line per request with
// method, outcome and duration; never params or results.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { ErrorCode, McpError } from '../../src/index.js';
import { requestLogger, type RequestLogEntry } from '../../src/middleware/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { listenNode } from '../helpers/listen.js';

const clients: Client[] = [];
after(async () => {
  for (const c of clients.splice(0)) await c.close();
});

/** A clock that advances 7 ms per reading: durations are exact without timing anything. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 7);
}

function demo(): McpServer {
  const s = new McpServer({ name: 'log', version: '1' });
  s.registerTool('secret', { inputSchema: { type: 'object', properties: { password: { type: 'string' } } } }, () => ({
    content: [{ type: 'text', text: 'classified-result' }],
  }));
  s.registerTool('fail', {}, () => {
    throw new McpError(ErrorCode.InvalidParams, 'no');
  });
  return s;
}

describe('requestLogger', () => {
  it('logs each server request over the memory pair: method, outcome, code, duration; no params or results', async () => {
    const lines: string[] = [];
    const entries: RequestLogEntry[] = [];
    const s = demo().use(requestLogger({ log: (l, e) => (lines.push(l), entries.push(e)), now: fakeClock() }));
    const [ct, st] = createLinkedPair();
    await s.connect(st);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(ct);
    clients.push(client);
    await client.callTool('secret', { password: 'hunter2' });
    await assert.rejects(client.callTool('fail'));
    assert.deepEqual(lines, ['server/discover ok 7ms', 'tools/call ok 7ms', 'tools/call error -32602 7ms']);
    assert.deepEqual(entries[2], { method: 'tools/call', outcome: 'error', code: -32602, durationMs: 7 });
    assert.ok(!lines.join('\n').includes('hunter2') && !lines.join('\n').includes('classified'));
  });

  it('logs a legacy session over HTTP, initialize included', async () => {
    const lines: string[] = [];
    const s = demo().use(requestLogger({ log: (l) => lines.push(l), now: fakeClock() }));
    const port = await listenNode(createNodeHandler(s));
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
    await client.connect(new StreamableHttpClientTransport(`http://127.0.0.1:${port}/mcp`, { getStream: false }));
    clients.push(client);
    await client.listTools();
    assert.deepEqual(lines, ['initialize ok 7ms', 'tools/list ok 7ms']);
  });

  it('logs client requests too, with local error codes', async () => {
    const lines: string[] = [];
    const [ct, st] = createLinkedPair();
    await demo().connect(st);
    const client = new Client({ name: 'c', version: '1' }, { cache: false }).use(
      requestLogger({ log: (l) => lines.push(l), now: fakeClock() }),
    );
    await client.connect(ct);
    clients.push(client);
    await client.listTools();
    await assert.rejects(client.request('tools/list', { _meta: { 'io.modelcontextprotocol/x': 1 } }));
    assert.deepEqual(lines, ['tools/list ok 7ms', 'tools/list error TSMCP_INVALID_META 7ms']);
  });

  it('a log sink that throws does not fail the request; the default sink is stderr, not stdout', async () => {
    const s = demo().use(
      requestLogger({
        log: () => {
          throw new Error('sink down');
        },
      }),
    );
    const [ct, st] = createLinkedPair();
    await s.connect(st);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(ct);
    clients.push(client);
    assert.equal((await client.callTool('secret')).isError, undefined);

    const original = { error: console.error, log: console.log };
    const seen: { stream: string; line: unknown }[] = [];
    console.error = (line: unknown) => void seen.push({ stream: 'stderr', line });
    console.log = (line: unknown) => void seen.push({ stream: 'stdout', line });
    try {
      await requestLogger({ now: fakeClock() })({ method: 'ping' }, async () => ({}));
    } finally {
      Object.assign(console, original);
    }
    assert.deepEqual(seen, [{ stream: 'stderr', line: 'ping ok 7ms' }]);
  });
});
