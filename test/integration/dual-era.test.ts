// One server, both eras at once; cancellation that crosses from client to server and back; the
// client's per-process era cache.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { connectPair } from '../helpers/pair.js';
import { distPath } from '../helpers/raw-stdio.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('one server, two eras', () => {
  it('serves a modern and a legacy client concurrently from one instance', async () => {
    const s = new McpServer({ name: 'both', version: '1' });
    s.registerTool('who', {}, (_a, ctx) => ({
      content: [{ type: 'text', text: `${ctx.era} ${ctx.protocolVersion}` }],
    }));
    s.registerTool('ask', {}, async (_a, ctx) => {
      const r = await ctx.elicit({
        message: 'name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      });
      return { content: [{ type: 'text', text: `${ctx.era}:${String(r.content?.name)}` }] };
    });
    const handlers = { elicitation: () => ({ action: 'accept' as const, content: { name: 'Ada' } }) };
    const modern = await connectPair(s, { handlers });
    const legacy = await connectPair(s, { handlers, version: '2025-06-18' });
    const results = await Promise.all([
      modern.client.callTool('who'),
      legacy.client.callTool('who'),
      modern.client.callTool('ask'),
      legacy.client.callTool('ask'),
    ]);
    assert.deepEqual(results.map(text), ['modern 2026-07-28', 'legacy 2025-06-18', 'modern:Ada', 'legacy:Ada']);
    modern.recorder.assertClean();
    legacy.recorder.assertClean();
  });
});

describe('cancellation across a server-to-client request (legacy)', () => {
  it('cancelling the tool call cancels the elicitation the server is waiting on', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    let serverSaw: unknown;
    s.registerTool('ask', {}, async (_a, ctx) => {
      try {
        await ctx.elicit({ message: 'wait', requestedSchema: { type: 'object', properties: {} } });
      } catch (e) {
        serverSaw = e;
      }
      return { content: [] };
    });
    let clientHandlerAborted = false;
    const { client, recorder } = await connectPair(s, {
      version: '2025-11-25',
      handlers: {
        elicitation: (_p, { signal }) =>
          new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              clientHandlerAborted = true;
              resolve({ action: 'cancel' });
            }),
          ),
      },
    });
    const ac = new AbortController();
    const call = client.callTool('ask', {}, { signal: ac.signal });
    await sleep(30);
    ac.abort();
    await assert.rejects(call, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
    await sleep(30);
    assert.ok(serverSaw instanceof TsmcpError && serverSaw.code === 'TSMCP_CANCELLED', String(serverSaw));
    assert.equal(clientHandlerAborted, true);
    recorder.assertClean();
  });
});

describe('era cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-era-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('probes a stdio server once per process, then reuses the verdict', async () => {
    const log = join(dir, 'wire.jsonl');
    const make = () =>
      new StdioClientTransport({
        command: process.execPath,
        args: [distPath('test/fixtures/tsmcp-stdio-server.js')],
        env: { TSMCP_WIRE_LOG: log },
      });
    const first = new Client({ name: 'c', version: '1' });
    await first.connect(make());
    await first.close();
    const second = new Client({ name: 'c', version: '1' });
    await second.connect(make());
    assert.equal(second.era, 'modern');
    await second.close();
    const discovers = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"method":"server/discover"'));
    // The first client probes; the second, knowing the era, still fetches capabilities with one discover.
    assert.equal(discovers.length, 2);
    const probeTimeouts = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"method":"initialize"'));
    assert.equal(probeTimeouts.length, 0);
  });
});
