// tsmcp client ↔ tsmcp server at every revision, over the in-memory pair and over stdio (a real child
// process), with every message checked against the official schema of the revision in use.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError, SUPPORTED_PROTOCOL_VERSIONS, type ElicitParams, type ProtocolVersion } from '../../src/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { WireRecorder, checkWireLog, recordTransport } from '../helpers/wire-recorder.js';
import { distPath } from '../helpers/raw-stdio.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const recorders: WireRecorder[] = [];

const ANSWERS: { [field: string]: string | number | boolean } = {
  name: 'Ada',
  color: 'blue',
  username: 'ada',
  email: 'ada@example.com',
  ok: true,
  context: 'a trip',
};
/** A simulated user who fills every field of a form. */
function answerForm(p: ElicitParams): { [k: string]: string | number | boolean } {
  const out: { [k: string]: string | number | boolean } = {};
  if ('requestedSchema' in p) for (const k of Object.keys(p.requestedSchema.properties)) out[k] = ANSWERS[k] ?? 'x';
  return out;
}

type Carrier = 'memory' | 'stdio' | 'http';
const dir = mkdtempSync(join(tmpdir(), 'tsmcp-roundtrip-'));
const wireLogs: string[] = [];
let logNo = 0;

async function connect(version: ProtocolVersion | 'auto', carrier: Carrier = 'memory', handlers = true) {
  // stdio: the child logs what it sends; http: the client side sees (and checks) both directions.
  const recorder = new WireRecorder(carrier === 'stdio' ? { only: 'client->server' } : {});
  recorders.push(recorder);
  let clientSide;
  if (carrier === 'memory') {
    const server = createEverythingServer();
    const [ct, st] = createLinkedPair();
    await server.connect(recordTransport(st, recorder, 'server'));
    clientSide = ct;
  } else if (carrier === 'http') {
    clientSide = new StreamableHttpClientTransport(await httpUrl());
  } else {
    const log = join(dir, `wire-${logNo++}.jsonl`);
    wireLogs.push(log);
    clientSide = new StdioClientTransport({
      command: process.execPath,
      args: [distPath('test/fixtures/tsmcp-stdio-server.js')],
      env: { TSMCP_WIRE_LOG: log },
    });
  }
  const logs_: unknown[] = [];
  const client = new Client(
    { name: 'roundtrip', version: '1.0.0' },
    {
      version,
      onlog: (p) => logs_.push(p),
      handlers: handlers
        ? {
            elicitation: (p) => ({ action: 'accept', content: answerForm(p) }),
            sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test-model' }),
            roots: () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }),
          }
        : undefined,
    },
  );
  await client.connect(recordTransport(clientSide, recorder, 'client'));
  return { client, logs: logs_, recorder };
}

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

for (const carrier of ['memory', 'stdio', 'http'] as const)
  for (const version of SUPPORTED_PROTOCOL_VERSIONS.filter((v) => carrier !== 'http' || v !== '2024-11-05')) {
    describe(`tsmcp ↔ tsmcp at ${version} over ${carrier}`, () => {
      it('negotiates the pinned revision', async () => {
        const { client } = await connect(version, carrier);
        assert.equal(client.protocolVersion, version);
        assert.equal(client.serverInfo?.name, 'tsmcp-everything');
        assert.ok(client.serverCapabilities.tools);
        await client.close();
      });

      it('lists and calls tools, with content of every kind', async () => {
        const { client } = await connect(version, carrier);
        const tools = await client.listAllTools();
        assert.ok(tools.some((t) => t.name === 'test_simple_text'));
        assert.deepEqual(
          tools.map((t) => t.name),
          [...tools.map((t) => t.name)].sort(
            (a, b) => tools.findIndex((t) => t.name === a) - tools.findIndex((t) => t.name === b),
          ),
        );
        assert.equal(text(await client.callTool('test_simple_text')), 'This is a simple text response for testing.');
        const mixed = await client.callTool('test_multiple_content_types');
        assert.deepEqual(
          mixed.content.map((c) => c.type),
          ['text', 'image', 'resource'],
        );
        const err = await client.callTool('test_error_handling');
        assert.equal(err.isError, true);
        await client.close();
      });

      it('reports unknown tools as -32602 and bad arguments as isError results', async () => {
        const { client } = await connect(version, carrier);
        await assert.rejects(
          client.callTool('no_such_tool'),
          (e: unknown) => e instanceof McpError && e.code === -32602,
        );
        const bad = await client.callTool('test_sampling', { prompt: 42 });
        assert.equal(bad.isError, true);
        assert.match(text(bad), /prompt/);
        await client.close();
      });

      it('reads static and templated resources; unknown URIs are errors', async () => {
        const { client } = await connect(version, carrier);
        const r = await client.readResource('test://static-text');
        assert.equal((r.contents[0] as { text: string }).text, 'This is the content of the static text resource.');
        const t = await client.readResource('test://template/123/data');
        assert.match((t.contents[0] as { text: string }).text, /123/);
        const expected = version === '2026-07-28' ? -32602 : -32002;
        await assert.rejects(
          client.readResource('test://nope'),
          (e: unknown) => e instanceof McpError && e.code === expected,
        );
        assert.ok((await client.listAllResourceTemplates()).some((x) => x.uriTemplate === 'test://template/{id}/data'));
        await client.close();
      });

      it('gets prompts and completes arguments', async () => {
        const { client } = await connect(version, carrier);
        const p = await client.getPrompt('test_prompt_with_arguments', { arg1: 'a', arg2: 'b' });
        assert.match(JSON.stringify(p.messages), /arg1='a', arg2='b'/);
        await assert.rejects(
          client.getPrompt('test_prompt_with_arguments', { arg1: 'a' }),
          (e: unknown) => e instanceof McpError && e.code === -32602,
        );
        if (version !== '2024-11-05') {
          const c = await client.complete({
            ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
            argument: { name: 'arg1', value: 'par' },
          });
          assert.deepEqual(c.values, ['paris', 'park', 'party']);
        }
        await client.close();
      });

      it('reports progress with increasing values', async () => {
        const { client } = await connect(version, carrier);
        const seen: number[] = [];
        await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
        assert.deepEqual(seen, [0, 50, 100]);
        await client.close();
      });

      it('asks for input through the client handlers', async () => {
        const { client } = await connect(version, carrier);
        const sampled = await client.callTool('test_sampling', { prompt: 'Capital of France?' });
        assert.equal(text(sampled), 'LLM response: Paris');
        if (version >= '2025-06-18') {
          const elicited = await client.callTool('test_elicitation', { message: 'Who are you?' });
          assert.match(text(elicited), /action=accept/);
          assert.equal(text(await client.callTool('test_input_required_result_multi_round')), 'Ada likes blue');
        }
        await client.close();
      });

      it('sends log messages only when asked', async () => {
        const { client, logs } = await connect(version, carrier);
        if (version === '2026-07-28') {
          await client.callTool('test_logging_tool');
          assert.equal(logs.length, 0);
          await client.callTool('test_logging_tool', {}, { logLevel: 'info' });
          assert.equal(logs.length, 1);
        } else {
          await client.setLoggingLevel('warning');
          await client.callTool('test_tool_with_logging');
          assert.equal(logs.length, 0);
          await client.setLoggingLevel('info');
          await client.callTool('test_tool_with_logging');
          assert.equal(logs.length, 3);
        }
        await client.close();
      });

      it('delivers list-changed notifications to subscribers', async () => {
        const { client } = await connect(version, carrier);
        const events: string[] = [];
        const sub = await client.subscribe({ toolsListChanged: true }, (method) => events.push(method));
        await client.callTool('test_trigger_tool_change');
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(events, ['notifications/tools/list_changed']);
        await sub.close();
        await client.close();
      });
    });
  }

describe('era detection', () => {
  it('auto picks the modern era against a dual-era server', async () => {
    const { client } = await connect('auto');
    assert.equal(client.era, 'modern');
    assert.equal(client.protocolVersion, '2026-07-28');
    await client.close();
  });
});

let httpServer: HttpServer | undefined;
let httpAddress: Promise<URL> | undefined;
/** One everything server on loopback HTTP, shared by the http carrier (both eras on one endpoint). */
function httpUrl(): Promise<URL> {
  httpAddress ??= new Promise((resolve) => {
    httpServer = createServer(createNodeHandler(createEverythingServer()));
    httpServer.listen(0, '127.0.0.1', () =>
      resolve(new URL(`http://127.0.0.1:${(httpServer!.address() as { port: number }).port}/mcp`)),
    );
  });
  return httpAddress;
}

after(() => {
  httpServer?.closeAllConnections();
  httpServer?.close();
  for (const r of recorders) r.assertClean();
  // What the stdio servers sent, from their wire logs.
  let checked = 0;
  for (const log of wireLogs) {
    const r = checkWireLog(log, { only: 'server->client' });
    r.assertClean();
    checked += r.count;
  }
  assert.ok(wireLogs.length === 0 || checked > 100, `only ${checked} server messages were logged`);
  rmSync(dir, { recursive: true, force: true });
});
