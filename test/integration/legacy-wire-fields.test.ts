// What a legacy peer gets on the wire carries nothing of 2026-07-28 (src/protocol/codec.ts
// encodeLegacyResult): raw JSON lines to the everything server over stdio, not tsmcp's own client (which
// would tolerate the extra fields), at every legacy revision, for every method and every tool, prompt and
// resource it serves, plus the fixture's items whose handlers produce 2026-07-28 fields themselves
// (cache hints, an explicit resultType, serverInfo in _meta). The JSON schemas allow extra fields, so
// the schema check alone cannot catch a leak.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distPath, spawnRaw, type RawServer } from '../helpers/raw-stdio.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

/** Result fields that exist only on 2026-07-28. */
const MODERN_FIELDS = ['resultType', 'ttlMs', 'cacheScope', 'inputRequests', 'requestState'];
/** `_meta` keys that exist only on 2026-07-28 (anywhere in a message). */
const MODERN_META = [
  'serverInfo',
  'protocolVersion',
  'clientCapabilities',
  'clientInfo',
  'logLevel',
  'subscriptionId',
].map((k) => `io.modelcontextprotocol/${k}`);
/** Methods only a 2026-07-28 server sends. */
const MODERN_METHODS = ['notifications/subscriptions/acknowledged'];

type Msg = {
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number };
};
type Schema = { properties?: Record<string, { type?: string }>; required?: string[] };

/** Every place in `value` where a 2026-only `_meta` key sits, as paths. */
function modernMeta(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => modernMeta(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k === '_meta' && v && typeof v === 'object')
      for (const key of Object.keys(v)) if (MODERN_META.includes(key)) out.push(`${path}._meta["${key}"]`);
    out.push(...modernMeta(v, `${path}.${k}`));
  }
  return out;
}

/** Plausible arguments for a tool from its input schema (every property, so optional paths run too). */
function argsFor(name: string, schema: Schema): Record<string, unknown> {
  if (name === 'slow_compute') return { seconds: 0 };
  const args: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties ?? {}))
    args[k] =
      s.type === 'number' || s.type === 'integer' ? 1 : s.type === 'boolean' ? true : s.type === 'object' ? {} : 'x';
  return args;
}

/** Canned answers to the server's own requests (sampling, elicitation, roots, ping). */
function answer(m: Msg): object {
  switch (m.method) {
    case 'sampling/createMessage':
      return { role: 'assistant', model: 'm', content: { type: 'text', text: 'sampled' } };
    case 'elicitation/create':
      return { action: 'decline' };
    case 'roots/list':
      return { roots: [] };
    default:
      return {};
  }
}

class Driver {
  readonly seen: Msg[] = [];
  #id = 0;
  constructor(readonly s: RawServer) {}

  /** Send a request; answer what the server asks meanwhile; return the response (bounded read). */
  async call(method: string, params: Record<string, unknown> = {}): Promise<Msg> {
    const id = ++this.#id;
    this.s.send({ jsonrpc: '2.0', id, method, params });
    for (let i = 0; i < 200; i++) {
      const m = (await this.s.next(10_000)) as Msg;
      this.seen.push(m);
      if (m.method !== undefined && m.id !== undefined) this.s.send({ jsonrpc: '2.0', id: m.id, result: answer(m) });
      else if (m.method === undefined && m.id === id) return m;
    }
    throw new Error(`no answer to ${method} within 200 messages`);
  }
}

const CAPABILITIES: Record<string, object> = {
  '2025-11-25': { sampling: {}, elicitation: { form: {} }, roots: {} },
  '2025-06-18': { sampling: {}, elicitation: {}, roots: {} },
  '2025-03-26': { sampling: {}, roots: {} },
  '2024-11-05': { sampling: {}, roots: {} },
};

describe('results to legacy peers carry no 2026-07-28 fields (raw stdio)', () => {
  for (const version of Object.keys(CAPABILITIES)) {
    it(`${version}: every method, tool, prompt and resource of the everything server`, {
      timeout: 60_000,
    }, async () => {
      const recorder = new WireRecorder({ only: 'server->client', label: version });
      const s = spawnRaw(distPath('test/fixtures/legacy-fields-server.js'), [], {}, recorder);
      const d = new Driver(s);
      const answered = new Map<string, number>(); // method → results (not errors) seen
      const call = async (method: string, params?: Record<string, unknown>) => {
        const r = await d.call(method, params);
        if (r.result) answered.set(method, (answered.get(method) ?? 0) + 1);
        return r;
      };
      try {
        const init = await call('initialize', {
          protocolVersion: version,
          capabilities: CAPABILITIES[version],
          clientInfo: { name: 'raw', version: '1' },
        });
        assert.equal(init.result?.protocolVersion, version);
        s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        await call('ping');
        await call('logging/setLevel', { level: 'debug' });

        const tools = (await call('tools/list')).result?.tools as { name: string; inputSchema: Schema }[];
        assert.ok(tools.length >= 30, `only ${tools.length} tools`);
        for (const t of tools)
          await call('tools/call', {
            name: t.name,
            arguments: argsFor(t.name, t.inputSchema),
            _meta: { progressToken: `p-${t.name}` },
          });

        const resources = (await call('resources/list')).result?.resources as { uri: string }[];
        for (const r of resources) await call('resources/read', { uri: r.uri });
        await call('resources/templates/list');
        await call('resources/read', { uri: 'test://template/123/data' });
        assert.ok(resources.some((r) => r.uri === 'test://cached'));
        await call('resources/read', { uri: 'test://cached/7' });
        await call('resources/subscribe', { uri: 'test://watched-resource' });
        await call('resources/unsubscribe', { uri: 'test://watched-resource' });

        const prompts = (await call('prompts/list')).result?.prompts as {
          name: string;
          arguments?: { name: string }[];
        }[];
        for (const p of prompts)
          await call('prompts/get', {
            name: p.name,
            arguments: Object.fromEntries(
              (p.arguments ?? []).map((a) => [a.name, a.name === 'resourceUri' ? 'test://static-text' : 'x']),
            ),
          });
        await call('completion/complete', {
          ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
          argument: { name: 'arg1', value: 'pa' },
        });
        await call('completion/complete', {
          ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
          argument: { name: 'id', value: '1' },
        });
        // Methods this server does not serve to a legacy session: errors, checked all the same.
        for (const m of ['tasks/list', 'tasks/get', 'server/discover', 'subscriptions/listen'])
          await call(m, m === 'tasks/get' ? { taskId: 'none' } : {});
      } finally {
        await s.close();
      }

      // Each method whose result the codec rewrites was really answered with a result.
      for (const m of [
        'initialize',
        'ping',
        'logging/setLevel',
        'tools/list',
        'tools/call',
        'resources/list',
        'resources/read',
        'resources/templates/list',
        'resources/subscribe',
        'prompts/list',
        'prompts/get',
        'completion/complete',
      ]) {
        assert.ok(answered.get(m), `${version}: no result for ${m}`);
      }
      // The fixture's 2026-shaped items were served, and what is not 2026-only in them survived.
      const relayed = d.seen.filter(
        (m) => (m.result?._meta as Record<string, unknown> | undefined)?.['example.com/kept'] === true,
      );
      assert.equal(relayed.length, 2, `${version}: the tool and prompt with 2026-07-28 fields`);
      const leaks: string[] = [];
      for (const m of d.seen) {
        const where = `${m.method ?? `response ${m.id}`}`;
        if (m.method && MODERN_METHODS.includes(m.method)) leaks.push(`${where}: a 2026-07-28 method`);
        for (const f of MODERN_FIELDS) if (m.result && f in m.result) leaks.push(`${where}: result.${f}`);
        for (const p of modernMeta(m)) leaks.push(`${where}: ${p}`);
      }
      assert.deepEqual(leaks, [], `${version}: 2026-07-28 fields sent to a legacy peer`);
      // Before 2025-11-25 a multi-select (array) elicitation field cannot be sent: the tool's ask fails instead.
      const multi = d.seen.filter(
        (m) => m.method === 'elicitation/create' && JSON.stringify(m.params).includes('"type":"array"'),
      );
      assert.equal(multi.length, version === '2025-11-25' ? 1 : 0, `${version}: multi-select elicitations sent`);
      assert.ok(d.seen.length > 60, `only ${d.seen.length} messages`);
      recorder.assertClean();
    });
  }
});
