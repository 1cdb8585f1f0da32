// The built `tsmcp` CLI end to end: every client command against the conformance everything server
// (HTTP and stdio) and the official v2 SDK's server (HTTP and stdio), both eras, --json parsed and checked.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as z from 'zod';
import { McpServer as V2Server, createMcpHandler } from '@modelcontextprotocol/server';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { EVERYTHING, OFFICIAL_V2, killAll, tsmcp, tsmcpJson } from './run.js';
import { fetchBridge } from '../helpers/fetch-bridge.js';

const servers: HttpServer[] = [];
after(() => {
  killAll();
  for (const s of servers) s.closeAllConnections(), s.close();
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}/mcp`;
}

type Json = Record<string, any>;
const texts = (r: Json) => (r.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
const ERAS = [
  { version: 'auto', era: 'modern', protocol: '2026-07-28' },
  { version: 'legacy', era: 'legacy', protocol: '2025-11-25' },
] as const;

describe('tsmcp CLI → the conformance everything server', () => {
  let url = '';
  const seenHeaders: (string | undefined)[] = [];
  before(async () => {
    const handler = createNodeHandler(createEverythingServer());
    url = await listen((req, res) => {
      seenHeaders.push(req.headers['x-test'] as string | undefined);
      handler(req, res);
    });
  });
  const targets = () => [
    { name: 'HTTP', server: [url] },
    { name: 'stdio', server: ['--', process.execPath, EVERYTHING, '--stdio'] },
  ];

  for (const e of ERAS)
    for (const kind of ['HTTP', 'stdio'])
      describe(`${kind}, --version ${e.version}`, () => {
        const t = () => [`--version=${e.version}`, ...targets().find((x) => x.name === kind)!.server];
        const run = (...a: string[]) => tsmcpJson<Json>(...a, ...t());

        it('discover shows the era, protocol version, server info and capabilities', async () => {
          const d = await run('discover');
          assert.equal(d.era, e.era);
          assert.equal(d.protocolVersion, e.protocol);
          assert.equal(d.serverInfo.name, 'tsmcp-everything');
          assert.ok(d.capabilities.tools && d.capabilities.prompts && d.capabilities.resources);
          const human = await tsmcp('discover', ...t());
          assert.equal(human.code, 0, human.stderr);
          assert.match(human.stdout, new RegExp(`Era: +${e.era}\\nProtocol version: +${e.protocol}`));
        });

        it('list: everything by default, or one kind', async () => {
          const all = await run('list');
          assert.ok(all.tools.some((x: Json) => x.name === 'test_simple_text'));
          assert.ok(all.resources.some((x: Json) => x.uri === 'test://static-text'));
          assert.ok(all.resourceTemplates.some((x: Json) => x.uriTemplate === 'test://template/{id}/data'));
          assert.ok(all.prompts.some((x: Json) => x.name === 'test_simple_prompt'));
          const prompts = await run('list', 'prompts');
          assert.deepEqual(Object.keys(prompts), ['prompts']);
          const human = await tsmcp('list', 'templates', ...t());
          assert.match(human.stdout, new RegExp(`^Connected to .*: ${e.era} era, protocol ${e.protocol}\\n`));
          assert.match(human.stdout, /Resource templates \(1\)\n {2}test:\/\/template\/\{id\}\/data/);
        });

        it('call with JSON or key=value arguments; a tool error exits 1', async () => {
          const r = await run('call', 'json_schema_2020_12_tool', '{"name":"Ada","email":"a@b.c"}');
          assert.equal(texts(r), 'Received: {"name":"Ada","email":"a@b.c"}');
          // key=value: "42" stays a string where the tool's schema says string
          assert.equal(texts(await run('call', 'greet', 'name=42')), 'Hello, 42!');
          const failed = await tsmcp('--json', 'call', 'test_error_handling', ...t());
          assert.equal(failed.code, 1);
          assert.equal(JSON.parse(failed.stdout).isError, true);
        });

        it('read, prompt and complete', async () => {
          const r = await run('read', 'test://template/7/data');
          assert.deepEqual(JSON.parse(r.contents[0].text), { id: '7', templateTest: true, data: 'Data for ID: 7' });
          const p = await run('prompt', 'test_prompt_with_arguments', 'arg1=paris', 'arg2=42');
          assert.match(p.messages[0].content.text, /arg1='paris', arg2='42'/);
          const c = await run('complete', 'prompt:test_prompt_with_arguments', 'arg1', 'pa');
          assert.deepEqual(c.values, ['paris', 'park', 'party']);
          const rc = await run('complete', 'resource:test://template/{id}/data', 'id', '1');
          assert.deepEqual(rc.values, ['1', '123']);
        });

        it('server log messages go to stderr, never to the --json stdout', async () => {
          const r = await tsmcp('--json', 'call', 'test_tool_with_logging', ...t());
          assert.equal(r.code, 0, r.stderr);
          assert.equal(texts(JSON.parse(r.stdout)), 'Tool with logging executed successfully');
          assert.match(r.stderr, /\[info\] Tool execution started\n\[info\] Tool processing data\n/);
        });
      });

  it('--header goes on every HTTP request', async () => {
    seenHeaders.length = 0;
    await tsmcpJson('--header', 'X-Test: hello', 'list', 'tools', url);
    assert.ok(seenHeaders.length > 0 && seenHeaders.every((h) => h === 'hello'), JSON.stringify(seenHeaders));
  });

  it('an unknown tool, an unreachable server: exit 1 with the reason', async () => {
    const r = await tsmcp('call', 'no_such_tool', url);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no_such_tool/);
    const down = await tsmcp('list', 'http://127.0.0.1:9/mcp');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^tsmcp: /);
  });
});

describe('tsmcp CLI → the official v2 SDK server', () => {
  let url = '';
  before(async () => {
    const factory = () => {
      const server = new V2Server({ name: 'official-v2-http', version: '1.0.0' });
      server.registerTool(
        'add',
        {
          description: 'Adds',
          inputSchema: z.object({ a: z.number(), b: z.number() }),
          outputSchema: z.object({ sum: z.number() }),
        },
        async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
      );
      return server;
    };
    url = await listen(fetchBridge((r) => createMcpHandler(factory).fetch(r)));
  });

  for (const e of ERAS) {
    it(`HTTP (createMcpHandler), --version ${e.version}: discover and call with key=value numbers`, async () => {
      const d = await tsmcpJson<Json>(`--version=${e.version}`, 'discover', url);
      assert.equal(d.era, e.era);
      assert.equal(d.serverInfo.name, 'official-v2-http');
      const r = await tsmcpJson<Json>(`--version=${e.version}`, 'call', url, 'add', 'a=20', 'b=22');
      assert.deepEqual(r.structuredContent, { sum: 42 });
    });

    it(`stdio, --version ${e.version === 'auto' ? '2026-07-28' : 'legacy'}: list, call, read, prompt`, async () => {
      const v = e.version === 'auto' ? '2026-07-28' : 'legacy';
      const s = ['--', process.execPath, OFFICIAL_V2];
      assert.equal((await tsmcpJson<Json>(`--version=${v}`, 'discover', ...s)).era, e.era);
      const l = await tsmcpJson<Json>(`--version=${v}`, 'list', 'tools', ...s);
      assert.deepEqual(l.tools.map((x: Json) => x.name).sort(), ['add', 'echo']);
      assert.equal(texts(await tsmcpJson<Json>(`--version=${v}`, 'call', 'echo', 'text=hi', ...s)), 'echo: hi');
      const r = await tsmcpJson<Json>(`--version=${v}`, 'read', 'fixture://items/7', ...s);
      assert.equal(r.contents[0].text, 'item 7');
      const p = await tsmcpJson<Json>(`--version=${v}`, 'prompt', 'greet', '{"name":"Ada"}', ...s);
      assert.match(JSON.stringify(p.messages), /Hello Ada/);
    });
  }
});

describe('tsmcp CLI usage errors: usage text and exit code 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown command', ['frobnicate', 'http://127.0.0.1:9/mcp'], /unknown command "frobnicate"/],
    ['a missing server', ['list'], /list needs a server: an http\(s\) URL, or "-- <command>/],
    ['a missing tool name', ['call', 'http://127.0.0.1:9/mcp'], /call needs a tool name/],
    ['bad JSON arguments', ['call', 'http://127.0.0.1:9/mcp', 'x', '{oops'], /tool arguments are not valid JSON/],
    ['an unknown option', ['list', '--frob', 'http://127.0.0.1:9/mcp'], /unknown option --frob/],
    [
      'a bad --version',
      ['--version', '1999-01-01', 'list', 'http://127.0.0.1:9/mcp'],
      /--version expects auto, legacy or one of/,
    ],
    ['an unknown list kind', ['list', 'widgets', '--', 'true'], /list: unknown kind "widgets"/],
  ];
  for (const [what, args, message] of cases)
    it(what, async () => {
      const r = await tsmcp(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: tsmcp <command> \[options\] <server>/);
      assert.equal(r.stdout, '');
    });
});
