// The official clients drive the tsmcp server over Streamable HTTP on loopback: the v2 client in
// modern and legacy modes and the v1 client. What tsmcp answers is recorded and schema-checked.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { tapHandler } from '../helpers/http-tap.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const recorders = new Map<string, WireRecorder>();
let http: HttpServer;
let url: URL;
let cancelled = 0;

before(async () => {
  const server = createEverythingServer();
  server.registerTool(
    'test_slow_cancellable',
    { description: 'Waits unless cancelled', inputSchema: { type: 'object' } },
    async (_a, ctx) => {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20_000);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), cancelled++, resolve()));
      });
      return { content: [] };
    },
  );
  // One recorder per legacy session; modern exchanges are stateless and share one pinned to 2026-07-28.
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
  http = createServer(handler);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const a = http.address() as { port: number };
  url = new URL(`http://127.0.0.1:${a.port}/mcp`);
});
after(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  let checked = 0;
  for (const r of recorders.values()) {
    r.assertClean();
    checked += r.count;
  }
  assert.ok(checked > 30, `only ${checked} messages checked`);
});

function answer(params: { requestedSchema?: { properties?: Record<string, unknown> } }) {
  const content: Record<string, string> = {};
  for (const k of Object.keys(params.requestedSchema?.properties ?? {}))
    content[k] = k === 'email' ? 'ada@example.com' : 'Ada';
  return { action: 'accept' as const, content };
}

type Call = (
  name: string,
  args?: Record<string, unknown>,
  opts?: { onprogress?: (p: { progress: number }) => void; signal?: AbortSignal },
) => Promise<{ content: { type: string; text?: string }[]; isError?: boolean }>;

interface Driver {
  call: Call;
  read(uri: string): Promise<{ contents: { text?: string }[] }>;
  prompt(name: string, args: Record<string, string>): Promise<{ messages: unknown[] }>;
  tools(): Promise<{ tools: { name: string }[] }>;
  setLevel?(level: string): Promise<unknown>;
  logs: unknown[];
  close(): Promise<void>;
}

async function v2(mode: 'auto' | 'legacy'): Promise<Driver> {
  const logs: unknown[] = [];
  const c = new V2Client(
    { name: 'official-v2', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode } },
  );
  c.setRequestHandler('elicitation/create', async (req) => answer(req.params as Parameters<typeof answer>[0]));
  c.setNotificationHandler('notifications/message', (n: { params: unknown }) => void logs.push(n.params));
  await c.connect(new V2Http(url));
  const x = c as unknown as Record<string, (...a: unknown[]) => Promise<never>>;
  return {
    logs,
    call: (name, args = {}, opts = {}) => x.callTool!({ name, arguments: args }, opts),
    read: (uri) => x.readResource!({ uri }),
    prompt: (name, args) => x.getPrompt!({ name, arguments: args }),
    tools: () => x.listTools!(),
    setLevel: mode === 'legacy' ? (l) => x.setLoggingLevel!(l) : undefined,
    close: () => c.close(),
  };
}

async function v1(): Promise<Driver> {
  const logs: unknown[] = [];
  const c = new V1Client({ name: 'official-v1', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  c.setRequestHandler(ElicitRequestSchema, async (req) => answer(req.params as Parameters<typeof answer>[0]));
  c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
  await c.connect(new V1Http(url));
  return {
    logs,
    call: (name, args = {}, opts = {}) => c.callTool({ name, arguments: args }, undefined, opts) as never,
    read: (uri) => c.readResource({ uri }) as never,
    prompt: (name, args) => c.getPrompt({ name, arguments: args }) as never,
    tools: () => c.listTools() as never,
    setLevel: (l) => c.setLoggingLevel(l as never),
    close: () => c.close(),
  };
}

const flavours: [string, () => Promise<Driver>, 'modern' | 'legacy'][] = [
  ['official v2 client, modern', () => v2('auto'), 'modern'],
  ['official v2 client, legacy mode', () => v2('legacy'), 'legacy'],
  ['official v1 client', v1, 'legacy'],
];

for (const [name, make, era] of flavours) {
  describe(`${name} → tsmcp over Streamable HTTP`, () => {
    let c: Driver;
    it('connects, lists and calls tools', async () => {
      c = await make();
      assert.ok((await c.tools()).tools.some((t) => t.name === 'test_simple_text'));
      assert.equal((await c.call('test_simple_text')).content[0]?.text, 'This is a simple text response for testing.');
      assert.equal((await c.call('test_error_handling')).isError, true);
    });
    it('reads resources and templates, gets prompts', async () => {
      assert.equal(
        (await c.read('test://static-text')).contents[0]?.text,
        'This is the content of the static text resource.',
      );
      assert.match(String((await c.read('test://template/9/data')).contents[0]?.text), /9/);
      assert.match(
        JSON.stringify((await c.prompt('test_prompt_with_arguments', { arg1: 'a', arg2: 'b' })).messages),
        /arg1='a'/,
      );
    });
    it('streams progress before the result', async () => {
      const seen: number[] = [];
      await c.call('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
      assert.deepEqual(seen, [0, 50, 100].slice(0, seen.length));
      assert.ok(seen.length >= 2);
    });
    if (era === 'legacy') {
      it('logs at the session level', async () => {
        await c.setLevel!('info');
        await c.call('test_tool_with_logging');
        await sleep(50);
        assert.equal(c.logs.length, 3);
      });
    }
    it('asks the user (server request on legacy, input_required on modern)', async () => {
      const r = await c.call(
        era === 'modern' ? 'test_input_required_result_elicitation' : 'test_elicitation',
        era === 'modern' ? {} : { message: 'who?' },
      );
      assert.match(String(r.content[0]?.text), era === 'modern' ? /Hello, Ada!/ : /action=accept/);
    });
    it('cancels: the handler sees it', async () => {
      const before = cancelled;
      const ac = new AbortController();
      const p = c.call('test_slow_cancellable', {}, { signal: ac.signal });
      await sleep(100);
      ac.abort();
      await assert.rejects(p);
      for (let i = 0; i < 40 && cancelled === before; i++) await sleep(25);
      assert.equal(cancelled, before + 1);
    });
    it('closes', async () => {
      await c.close();
    });
  });
}
