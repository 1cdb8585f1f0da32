// The Client through its public API against real tsmcp servers: era detection and fallback, the
// multi round-trip loop and its bounds, requestState integrity, output-schema checks, and the cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError, TsmcpError } from '../../src/index.js';
import { McpServer, Server } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { connectPair } from '../helpers/pair.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;
const form = (message: string, field: string) => ({
  message,
  requestedSchema: { type: 'object' as const, properties: { [field]: { type: 'string' } }, required: [field] },
});

describe('era detection', () => {
  it('falls back to initialize against a legacy-only server', async () => {
    const s = new McpServer({ name: 'old', version: '1' }, { versions: ['2025-06-18', '2025-03-26'] });
    s.registerTool('t', {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const { client, recorder } = await connectPair(s);
    assert.equal(client.era, 'legacy');
    assert.equal(client.protocolVersion, '2025-06-18');
    assert.equal(text(await client.callTool('t')), 'ok');
    recorder.assertClean();
  });

  it('stays modern against a modern-only server, and a legacy client is refused with the supported list', async () => {
    const s = new McpServer({ name: 'new', version: '1' }, { versions: ['2026-07-28'] });
    s.registerTool('t', {}, () => ({ content: [] }));
    const { client } = await connectPair(s);
    assert.equal(client.era, 'modern');
    const legacy = new Client({ name: 'c', version: '1' }, { version: 'legacy' });
    const [a, b] = createLinkedPair();
    await s.connect(b);
    await assert.rejects(
      legacy.connect(a),
      (e: unknown) => e instanceof McpError && e.code === -32022 && JSON.stringify(e.data).includes('2026-07-28'),
    );
  });

  it('skips the probe when given a prior verdict', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    const [a, b] = createLinkedPair();
    const recorder = new WireRecorder();
    await s.connect(recordTransport(b, recorder, 'server'));
    const seen: string[] = [];
    const client = new Client({ name: 'c', version: '1' }, { prior: 'legacy' });
    const t = recordTransport(a, recorder, 'client');
    const send = t.send;
    t.send = (m) => {
      seen.push((m as { method?: string }).method ?? 'response');
      return send(m);
    };
    await client.connect(t);
    assert.deepEqual(seen.slice(0, 2), ['initialize', 'notifications/initialized']);
    recorder.assertClean();
  });
});

describe('multi round-trip', () => {
  function mrtrServer() {
    const s = new McpServer({ name: 's', version: '1' });
    let runs = 0;
    s.registerTool('two_rounds', {}, async (_a, ctx) => {
      runs++;
      const a = await ctx.elicit(form('name?', 'name'), { key: 'step1' });
      const b = await ctx.elicit(form('color?', 'color'), { key: 'step2' });
      return {
        content: [{ type: 'text', text: `${String(a.content?.name)}/${String(b.content?.color)} after ${runs} runs` }],
      };
    });
    s.registerTool('forever', {}, async (_a, ctx) => {
      const n = Math.random().toString(36).slice(2);
      await ctx.elicit(form('again?', 'x'), { key: `k-${n}` });
      return { content: [] };
    });
    return s;
  }

  it('answers each round through the handlers and re-runs the handler with the answers', async () => {
    const asked: string[] = [];
    const { client, recorder } = await connectPair(mrtrServer(), {
      handlers: {
        elicitation: (p) => (asked.push(p.message), { action: 'accept', content: { name: 'Ada', color: 'teal' } }),
      },
    });
    assert.equal(text(await client.callTool('two_rounds')), 'Ada/teal after 3 runs');
    assert.deepEqual(asked, ['name?', 'color?']);
    recorder.assertClean();
  });

  it('gives up after maxInputRounds', async () => {
    const { client } = await connectPair(mrtrServer(), {
      maxInputRounds: 3,
      handlers: { elicitation: () => ({ action: 'accept', content: { x: '1' } }) },
    });
    await assert.rejects(
      client.callTool('forever'),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INPUT_ROUNDS_EXCEEDED',
    );
  });

  it('fails clearly without a handler, and the server never asks what the client did not declare', async () => {
    const { client } = await connectPair(mrtrServer(), { capabilities: { elicitation: { form: {} } } });
    await assert.rejects(
      client.callTool('two_rounds'),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_NO_INPUT_HANDLER',
    );
    const { client: bare } = await connectPair(mrtrServer());
    await assert.rejects(
      bare.callTool('two_rounds'),
      (e: unknown) =>
        e instanceof McpError &&
        e.code === -32021 &&
        JSON.stringify(e.data) === '{"requiredCapabilities":{"elicitation":{"form":{}}}}',
    );
  });
});

describe('requestState integrity over the wire', () => {
  it('rejects tampering with -32602 and re-asks when answers are missing or malformed', async () => {
    const server = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/call', async (_p, ctx) => {
      const r = await ctx.elicit(form('name?', 'name'), { key: 'who' });
      return { content: [{ type: 'text', text: `hi ${String(r.content?.name)}` }] };
    });
    const [a, b] = createLinkedPair();
    const { ServerConnection } = await import('../../src/entries/server.js');
    const conn = new ServerConnection(server, b);
    await conn.start();
    const { Peer } = await import('../../src/engine/peer.js');
    const peer = new Peer(a, { onrequest: () => ({}) });
    await peer.start();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
    };
    const r1 = await peer.request('tools/call', { _meta: meta, name: 'x' });
    assert.equal(r1.resultType, 'input_required');
    assert.deepEqual(Object.keys(r1.inputRequests as object), ['who']);
    const state = r1.requestState as string;
    const tampered = state.slice(0, -3) + (state.endsWith('A') ? 'BBB' : 'AAA');
    await assert.rejects(
      peer.request('tools/call', {
        _meta: meta,
        name: 'x',
        requestState: tampered,
        inputResponses: { who: { action: 'accept', content: { name: 'Eve' } } },
      }),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    await assert.rejects(
      peer.request('tools/call', {
        _meta: meta,
        name: 'other',
        requestState: state,
        inputResponses: { who: { action: 'accept', content: { name: 'Eve' } } },
      }),
      (e: unknown) => e instanceof McpError && e.code === -32602 && /different request/.test(e.message),
    );
    const missing = await peer.request('tools/call', {
      _meta: meta,
      name: 'x',
      requestState: state,
      inputResponses: { other: { action: 'accept' } },
    });
    assert.equal(missing.resultType, 'input_required');
    const garbage = await peer.request('tools/call', {
      _meta: meta,
      name: 'x',
      requestState: state,
      inputResponses: { who: 'yes please' },
    });
    assert.equal(garbage.resultType, 'input_required');
    const done = await peer.request('tools/call', {
      _meta: meta,
      name: 'x',
      requestState: state,
      inputResponses: { who: { action: 'accept', content: { name: 'Ada' } }, extra: 1 },
    });
    assert.equal(done.resultType, 'complete');
    assert.equal((done.content as { text: string }[])[0]!.text, 'hi Ada');
    await assert.rejects(
      peer.request('tools/list', { _meta: meta }),
      (e: unknown) => e instanceof McpError && e.code === -32601,
    );
  });
});

describe('client-side output schema checks', () => {
  it('rejects structuredContent that does not match the advertised outputSchema', async () => {
    const server = new Server({ name: 'liar', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', () => ({
      tools: [
        {
          name: 'lie',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        },
      ],
    }));
    server.setRequestHandler('tools/call', (p) => ({
      content: [],
      structuredContent: p.name === 'lie' ? { n: 'not a number' } : {},
    }));
    const [a, b] = createLinkedPair();
    const { ServerConnection } = await import('../../src/entries/server.js');
    await new ServerConnection(server, b).start();
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(a);
    await client.listAllTools();
    await assert.rejects(
      client.callTool('lie'),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_OUTPUT_SCHEMA' && /n/.test(e.message),
    );
  });
});

describe('client-side result checks', () => {
  it('refuses results that lack what their method promises, with a local error', async () => {
    const server = new Server({ name: 'broken', version: '1' }, { capabilities: { tools: {}, prompts: {} } });
    server.setRequestHandler('tools/list', () => ({ tools: 'none' }));
    server.setRequestHandler('tools/call', () => ({ text: 'no content array' }));
    server.setRequestHandler('prompts/list', () => ({ prompts: [{ title: 'no name' }] }));
    const [a, b] = createLinkedPair();
    const { ServerConnection } = await import('../../src/entries/server.js');
    await new ServerConnection(server, b).start();
    for (const version of ['2026-07-28', '2025-11-25'] as const) {
      const [ca, sb] = version === '2026-07-28' ? [a, b] : createLinkedPair();
      if (version !== '2026-07-28') await new ServerConnection(server, sb).start();
      const client = new Client({ name: 'c', version: '1' }, { version });
      await client.connect(ca);
      const local = (re: RegExp) => (e: unknown) =>
        e instanceof TsmcpError && e.code === 'TSMCP_INVALID_RESPONSE' && re.test(e.message);
      await assert.rejects(client.listTools(), local(/"tools"/));
      await assert.rejects(client.callTool('x'), local(/"content"/));
      await assert.rejects(client.listPrompts(), local(/"prompts"/));
    }
  });
});

describe('response cache', () => {
  function countingServer(ttlMs: number) {
    let lists = 0;
    const s = new McpServer({ name: 's', version: '1' }, { cache: { lists: { ttlMs, cacheScope: 'private' } } });
    s.registerTool('a', {}, () => ({ content: [] }));
    s.server.setRequestHandler('tools/list', () => {
      lists++;
      return { tools: [{ name: 'a', inputSchema: { type: 'object' } }] };
    });
    return { s, count: () => lists };
  }

  it('serves fresh results from the cache and refetches when stale', async () => {
    const { s, count } = countingServer(60);
    const { client } = await connectPair(s);
    await client.listTools();
    await client.listTools();
    assert.equal(count(), 1);
    await new Promise((r) => setTimeout(r, 80));
    await client.listTools();
    assert.equal(count(), 2);
    await client.listTools(undefined, { noCache: true });
    assert.equal(count(), 3);
  });

  it('does not cache ttlMs 0, and list_changed invalidates', async () => {
    const zero = countingServer(0);
    const { client } = await connectPair(zero.s);
    await client.listTools();
    await client.listTools();
    assert.equal(zero.count(), 2);
    const long = countingServer(60_000);
    const c2 = await connectPair(long.s);
    const sub = await c2.client.subscribe({ toolsListChanged: true }, () => {});
    await c2.client.listTools();
    await c2.client.listTools();
    assert.equal(long.count(), 1);
    long.s.registerTool('b', {}, () => ({ content: [] }));
    await new Promise((r) => setTimeout(r, 20));
    await c2.client.listTools();
    assert.equal(long.count(), 2);
    await sub.close();
  });
});
