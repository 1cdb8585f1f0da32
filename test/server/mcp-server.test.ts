// McpServer through its public API and a real client: schemas from every library, structured output,
// tool error hygiene, annotations, ordering, pagination, caching hints, templates, change events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import * as v from 'valibot';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import { McpServer, ToolError } from '../../src/entries/server.js';
import { McpError, TsmcpError, type ProtocolVersion } from '../../src/index.js';
import { connectPair } from '../helpers/pair.js';

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function schemaServer() {
  const s = new McpServer({ name: 's', version: '1' });
  s.registerTool('zod_add', { inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  s.registerTool(
    'valibot_add',
    { inputSchema: toStandardJsonSchema(v.object({ a: v.number(), b: v.number() })) },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  s.registerTool('arktype_add', { inputSchema: type({ a: 'number', b: 'number' }) }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  s.registerTool(
    'json_add',
    {
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
        additionalProperties: false,
      },
    },
    (args) => ({ content: [{ type: 'text', text: String((args.a as number) + (args.b as number)) }] }),
  );
  return s;
}

for (const version of ['2026-07-28', '2025-11-25'] as ProtocolVersion[]) {
  describe(`McpServer (${version})`, () => {
    it('accepts zod, valibot, arktype and raw JSON Schema; bad arguments are isError results', async () => {
      const { client, recorder } = await connectPair(schemaServer(), { version });
      const tools = await client.listAllTools();
      for (const t of tools) {
        assert.equal(t.inputSchema.type, 'object', t.name);
        assert.ok(t.inputSchema.properties, t.name);
      }
      for (const name of ['zod_add', 'valibot_add', 'arktype_add', 'json_add']) {
        assert.equal(text(await client.callTool(name, { a: 2, b: 3 })), '5', name);
        const bad = await client.callTool(name, { a: 'two', b: 3 });
        assert.equal(bad.isError, true, name);
        assert.match(text(bad), /^Invalid arguments: /, name);
        assert.match(text(bad), /a/, name);
      }
      recorder.assertClean();
    });

    it('a handler that returns one result object on every call gets independent answers; the object is never changed', async () => {
      // tools/call sends a handler's result without copying it when nothing but the server sees it
      // (the server copies it for the wire); a wrap hook that changes what it gets must not reach the handler's object.
      const shared = {
        content: [{ type: 'text' as const, text: 'same' }],
        structuredContent: { n: 1 },
        _meta: { 'example.com/kept': true },
      };
      const snapshot = structuredClone(shared);
      const frozen = Object.freeze({ content: Object.freeze([Object.freeze({ type: 'text' as const, text: 'ice' })]) });
      const stamping = {
        id: 'com.example/stamp',
        install(host: { addToolHooks(h: object): void }) {
          host.addToolHooks({
            async wrap(call: { name: string }, next: () => Promise<Record<string, unknown>>) {
              const r = await next();
              if (call.name !== 'stamped') return r;
              r._meta = {
                ...(r._meta as object),
                'example.com/stamp': (r._meta as { [k: string]: unknown })?.['example.com/stamp'] === undefined ? 1 : 2,
              };
              return r;
            },
          });
        },
      };
      for (const extensions of [[], [stamping]]) {
        const s = new McpServer({ name: 's', version: '1' }, { extensions } as never);
        s.registerTool('reuse', {}, () => shared);
        s.registerTool('frozen', {}, () => frozen as never);
        s.registerTool('stamped', {}, async () => shared);
        const { client, recorder } = await connectPair(s, { version });
        for (let i = 0; i < 3; i++) {
          const r = await client.callTool('reuse', {});
          assert.equal(text(r), 'same');
          assert.deepEqual(r.structuredContent, { n: 1 });
          assert.equal(r._meta?.['example.com/kept'], true);
          assert.equal(text(await client.callTool('frozen', {})), 'ice');
          if (extensions.length) {
            // Each call's wrap hook sees a fresh copy: the stamp is 1 every time, never 2.
            const st = await client.callTool('stamped', {});
            assert.equal(st._meta?.['example.com/stamp'], 1);
          }
        }
        assert.deepEqual(shared, snapshot);
        recorder.assertClean();
      }
    });

    it('validates structured output, adds its text copy, and refuses output that breaks the schema', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      s.registerTool(
        'weather',
        { inputSchema: z.object({ ok: z.boolean() }), outputSchema: z.object({ temp: z.number() }) },
        // @ts-expect-error -- `temp: 'hot'` breaks the outputSchema's type; the runtime check is tested here
        ({ ok }) => ({ structuredContent: ok ? { temp: 21 } : { temp: 'hot' } }),
      );
      const { client, recorder } = await connectPair(s, { version });
      await client.listAllTools();
      const good = await client.callTool('weather', { ok: true });
      assert.deepEqual(good.structuredContent, { temp: 21 });
      assert.deepEqual(JSON.parse(text(good)), { temp: 21 });
      await assert.rejects(
        client.callTool('weather', { ok: false }),
        (e: unknown) => e instanceof McpError && e.code === -32603,
      );
      recorder.assertClean();
    });

    it('passes ToolError messages through and hides everything else', async () => {
      const errors: unknown[] = [];
      const s = new McpServer({ name: 's', version: '1' }, { onerror: (e) => errors.push(e) });
      s.registerTool('deliberate', {}, () => {
        throw new ToolError('City not found: Atlantis');
      });
      s.registerTool('crash', {}, () => {
        throw new TypeError("Cannot read properties of undefined (reading 'password') at /srv/secret.js:3");
      });
      const { client } = await connectPair(s, { version });
      const d = await client.callTool('deliberate');
      assert.deepEqual(d, {
        content: [{ type: 'text', text: 'City not found: Atlantis' }],
        isError: true,
        ...(version === '2026-07-28' ? { resultType: 'complete', _meta: d._meta } : { resultType: 'complete' }),
      });
      const c = await client.callTool('crash');
      assert.equal(c.isError, true);
      assert.doesNotMatch(JSON.stringify(c), /password|secret\.js|TypeError/);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /password/);
    });

    it('keeps titles, annotations, icons and _meta, in registration order', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      for (const n of ['zeta', 'alpha', 'mid']) {
        s.registerTool(
          n,
          {
            title: `T ${n}`,
            annotations: { readOnlyHint: true },
            icons: [{ src: 'https://example.com/i.png', mimeType: 'image/png' }],
            _meta: { 'com.example/x': n },
          },
          () => ({ content: [] }),
        );
      }
      const { client } = await connectPair(s, { version });
      const tools = await client.listAllTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        ['zeta', 'alpha', 'mid'],
      );
      assert.equal(tools[0]!.title, 'T zeta');
      assert.deepEqual(tools[0]!.annotations, { readOnlyHint: true });
      assert.equal(tools[0]!.icons?.[0]?.src, 'https://example.com/i.png');
      assert.equal(tools[0]!._meta?.['com.example/x'], 'zeta');
      assert.deepEqual(tools[0]!.inputSchema, { type: 'object', additionalProperties: false });
    });

    it('pages lists with stable cursors; listAll walks every page', async () => {
      const s = new McpServer({ name: 's', version: '1' }, { pageSize: 3 });
      for (let i = 0; i < 10; i++) s.registerTool(`t${i}`, {}, () => ({ content: [] }));
      for (let i = 0; i < 5; i++) s.registerPrompt(`p${i}`, {}, () => []);
      const { client, recorder } = await connectPair(s, { version, cache: false });
      const first = await client.listTools();
      assert.equal(first.tools.length, 3);
      assert.equal(typeof first.nextCursor, 'string');
      assert.deepEqual(
        (await client.listAllTools()).map((t) => t.name),
        ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'],
      );
      assert.equal((await client.listAllPrompts()).length, 5);
      await assert.rejects(client.listTools('bogus'), (e: unknown) => e instanceof McpError && e.code === -32602);
      recorder.assertClean();
    });

    it('reads templates with RFC 6570 variables and completes them', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      s.registerResourceTemplate(
        'file',
        'file:///{+path}',
        { complete: { path: (v) => ['src/a.ts', 'src/b.ts', 'README.md'].filter((p) => p.startsWith(v)) } },
        (uri, vars) => [{ uri, text: `path=${String(vars.path)}` }],
      );
      s.registerResourceTemplate('search', 'search://items{?q,lang}', {}, (uri, vars) => [
        { uri, text: `q=${String(vars.q)} lang=${String(vars.lang)}` },
      ]);
      const { client } = await connectPair(s, { version });
      assert.equal(
        ((await client.readResource('file:///src/deep/x.ts')).contents[0] as { text: string }).text,
        'path=src/deep/x.ts',
      );
      assert.equal(
        ((await client.readResource('search://items?lang=en&q=tea')).contents[0] as { text: string }).text,
        'q=tea lang=en',
      );
      const c = await client.complete({
        ref: { type: 'ref/resource', uri: 'file:///{+path}' },
        argument: { name: 'path', value: 'src/' },
      });
      assert.deepEqual(c.values, ['src/a.ts', 'src/b.ts']);
      await assert.rejects(
        client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } }),
        (e: unknown) => e instanceof McpError && e.code === -32602,
      );
    });

    it('tells subscribers when resources change, and only those who asked', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      s.registerResource('cfg', 'app://config', {}, (uri) => [{ uri, text: 'x' }]);
      const { client } = await connectPair(s, { version });
      const got: string[] = [];
      const sub = await client.subscribe({ resourceSubscriptions: ['app://config'] }, (m, p) =>
        got.push(`${m} ${String(p.uri)}`),
      );
      await s.resourceUpdated('app://config');
      await s.resourceUpdated('app://other');
      await sleep(20);
      assert.deepEqual(got, ['notifications/resources/updated app://config']);
      await sub.close();
      await s.resourceUpdated('app://config');
      await sleep(20);
      assert.equal(got.length, 1);
    });

    it('passes _meta such as traceparent through to the handler', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      let seen: unknown;
      s.registerTool('trace', {}, (_a, ctx) => {
        seen = ctx.meta.traceparent;
        return { content: [] };
      });
      const { client } = await connectPair(s, { version });
      await client.callTool(
        'trace',
        {},
        { meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
      );
      assert.equal(seen, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    });

    it('cancels the handler when the client aborts', async () => {
      const s = new McpServer({ name: 's', version: '1' });
      let reason: unknown;
      s.registerTool('slow', {}, async (_a, ctx) => {
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        reason = ctx.signal.reason;
        return { content: [] };
      });
      const { client } = await connectPair(s, { version });
      const ac = new AbortController();
      const p = client.callTool('slow', {}, { signal: ac.signal });
      await sleep(10);
      ac.abort('stop');
      await assert.rejects(p, (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED');
      await sleep(10);
      assert.ok(reason instanceof Error);
    });
  });
}

describe('McpServer definitions', () => {
  it('rejects invalid tool names, duplicates and non-object input schemas', () => {
    const s = new McpServer({ name: 's', version: '1' });
    assert.throws(
      () => s.registerTool('has space', {}, () => ({ content: [] })),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION',
    );
    assert.throws(() => s.registerTool('x'.repeat(129), {}, () => ({ content: [] })), /Invalid tool name/);
    s.registerTool('ok', {}, () => ({ content: [] }));
    assert.throws(() => s.registerTool('ok', {}, () => ({ content: [] })), /already registered/);
    assert.throws(
      () => s.registerTool('str', { inputSchema: z.string() as never }, () => ({ content: [] })),
      /type "object"/,
    );
    assert.throws(
      () => s.registerResourceTemplate('bad', 'x://{unclosed', {}, () => []),
      (e: unknown) => e instanceof TsmcpError,
    );
  });
});
