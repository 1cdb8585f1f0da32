// The tsmcp client drives third-party servers over stdio: @modelcontextprotocol/server-everything
// (a legacy-era server: era detection must fall back to initialize) and a server built with the
// official v2 SDK. Everything the tsmcp client sends is checked against the schema.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const require = createRequire(import.meta.url);
const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const recorders: WireRecorder[] = [];
after(() => recorders.forEach((r) => r.assertClean()));

async function connect(args: string[], prompts: string[] = []) {
  const recorder = new WireRecorder({ only: 'client->server' });
  recorders.push(recorder);
  const client = new Client(
    { name: 'tsmcp-interop', version: '1.0.0' },
    {
      handlers: {
        elicitation: (p) => {
          prompts.push(p.message);
          return { action: 'accept', content: { name: 'Ada' } };
        },
        sampling: () => ({ role: 'assistant', model: 'test-model', content: { type: 'text', text: 'sampled!' } }),
        roots: () => ({ roots: [{ uri: 'file:///srv/project', name: 'project' }] }),
      },
    },
  );
  await client.connect(
    recordTransport(
      new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' }),
      recorder,
      'client',
    ),
  );
  return { client, recorder };
}

const text = (r: { content: unknown[] }) => (r.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');

describe('tsmcp client → @modelcontextprotocol/server-everything (stdio)', () => {
  it('detects the legacy era and negotiates 2025-11-25', async () => {
    const { client } = await connect([everything, 'stdio']);
    assert.equal(client.era, 'legacy');
    assert.equal(client.protocolVersion, '2025-11-25');
    assert.equal(client.serverInfo?.name, 'mcp-servers/everything');
    await client.close();
  });

  it('lists everything across pages and calls tools', async () => {
    const { client, recorder } = await connect([everything, 'stdio']);
    const tools = await client.listAllTools();
    assert.ok(tools.length >= 10);
    assert.match(text(await client.callTool('echo', { message: 'hi' })), /hi/);
    assert.match(text(await client.callTool('get-sum', { a: 2, b: 3 })), /5/);
    const structured = await client.callTool('get-structured-content', { location: 'Chicago' });
    assert.equal(typeof (structured.structuredContent as { temperature: number }).temperature, 'number');
    assert.ok((await client.listAllResources()).length > 0);
    assert.ok((await client.listAllResourceTemplates()).length > 0);
    const prompts = await client.listAllPrompts();
    assert.ok(prompts.some((p) => p.name === 'simple-prompt'));
    assert.ok(recorder.count > 5);
    await client.close();
  });

  it('answers the server-to-client requests with the same handlers (elicitation, sampling, roots)', async () => {
    const asked: string[] = [];
    const { client } = await connect([everything, 'stdio'], asked);
    assert.match(text(await client.callTool('trigger-elicitation-request', {})), /Ada/);
    assert.equal(asked.length, 1);
    assert.match(text(await client.callTool('trigger-sampling-request', { prompt: 'hello' })), /sampled!/);
    assert.match(text(await client.callTool('get-roots-list', {})), /file:\/\/\/srv\/project/);
    await client.close();
  });

  it('receives progress from a long operation', async () => {
    const { client } = await connect([everything, 'stdio']);
    const seen: number[] = [];
    await client.callTool(
      'trigger-long-running-operation',
      { duration: 1, steps: 3 },
      { onprogress: (p) => seen.push(p.progress) },
    );
    assert.deepEqual(seen, [1, 2, 3]);
    await client.close();
  });

  it('reads resources and reports a missing one as an McpError', async () => {
    const { client } = await connect([everything, 'stdio']);
    const [first] = await client.listAllResources();
    const r = await client.readResource(first!.uri);
    assert.ok(r.contents.length > 0);
    await assert.rejects(client.readResource('demo://no/such/resource'), (e: unknown) => e instanceof McpError);
    await client.close();
  });
});

describe('tsmcp client → a server built with the official v2 SDK (stdio)', () => {
  const fixture = distPath('test/fixtures/official-v2-server.js');

  it('connects, calls tools with validated structured output, reads and prompts', async () => {
    const { client } = await connect([fixture]);
    assert.ok(client.era);
    const tools = await client.listAllTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'echo']);
    assert.equal(text(await client.callTool('echo', { text: 'hey' })), 'echo: hey');
    const sum = await client.callTool('add', { a: 2, b: 40 });
    assert.deepEqual(sum.structuredContent, { sum: 42 });
    assert.equal(
      ((await client.readResource('fixture://greeting')).contents[0] as { text: string }).text,
      'hello from v2',
    );
    assert.match(JSON.stringify(await client.readResource('fixture://items/7')), /item 7/);
    const p = await client.getPrompt('greet', { name: 'Ada' });
    assert.match(JSON.stringify(p.messages), /Hello Ada/);
    await assert.rejects(client.callTool('nope'), (e: unknown) => e instanceof McpError);
    await client.close();
  });

  it('speaks the modern era when pinned to 2026-07-28', async () => {
    const recorder = new WireRecorder({ only: 'client->server' });
    recorders.push(recorder);
    const client = new Client({ name: 'tsmcp-interop', version: '1.0.0' }, { version: '2026-07-28' });
    await client.connect(
      recordTransport(
        new StdioClientTransport({ command: process.execPath, args: [fixture], stderr: 'ignore' }),
        recorder,
        'client',
      ),
    );
    assert.equal(client.era, 'modern');
    assert.equal(client.serverInfo?.name, 'official-v2-fixture');
    assert.equal(text(await client.callTool('echo', { text: 'modern' })), 'echo: modern');
    await client.close();
  });
});
