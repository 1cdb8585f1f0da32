// JSON Schema dialects and external `$ref`s (spec §JSON Schema Usage): tsmcp supports draft-07 and
// 2020-12 (the default without `$schema`); anything else is refused at registration, and a client that
// meets such a schema (or an unresolvable `$ref`) in a tool listing refuses to call that tool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError, type ProtocolVersion } from '../../src/index.js';
import { McpServer, Server, ServerConnection } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';
const invalidDefinition = (re: RegExp) => (e: unknown) =>
  e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION' && re.test(e.message);

describe('JSON Schema dialects at registration', () => {
  it('refuses a $schema other than draft-07 or 2020-12, naming it and the supported ones', () => {
    const s = new McpServer({ name: 's', version: '1' });
    const ok = () => ({ content: [], structuredContent: {} }); // never called: registration is what is tested
    for (const $schema of [
      DRAFT_04,
      'https://json-schema.org/draft/2019-09/schema',
      'https://example.com/my-dialect',
      42,
    ]) {
      const msg = new RegExp(
        `${typeof $schema === 'string' ? $schema.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : '42'}[\\s\\S]*2020-12[\\s\\S]*draft-07`,
      );
      assert.throws(
        () => s.registerTool('in', { inputSchema: { $schema, type: 'object' } }, ok),
        invalidDefinition(msg),
        String($schema),
      );
      assert.throws(
        () => s.registerTool('out', { outputSchema: { $schema, type: 'object' } }, ok),
        invalidDefinition(msg),
        String($schema),
      );
    }
    // A nested resource may not switch to another dialect either (one validator runs the whole schema).
    assert.throws(
      () =>
        s.registerTool(
          'nested',
          { inputSchema: { type: 'object', $defs: { a: { $id: 'https://example.com/a', $schema: DRAFT_04 } } } },
          ok,
        ),
      invalidDefinition(/draft-04/),
    );
    for (const [i, $schema] of [
      'http://json-schema.org/draft-07/schema#',
      'http://json-schema.org/draft-07/schema',
      'https://json-schema.org/draft/2020-12/schema',
      'https://json-schema.org/draft/2020-12/schema#',
    ].entries()) {
      s.registerTool(
        `ok${i}`,
        { inputSchema: { $schema, type: 'object' }, outputSchema: { $schema, type: 'object' } },
        ok,
      );
    }
  });

  it('refuses an external $ref in input and output schemas (nothing is fetched)', () => {
    const s = new McpServer({ name: 's', version: '1' });
    const ok = () => ({ content: [], structuredContent: {} }); // never called: registration is what is tested
    const ext = { type: 'object', properties: { a: { $ref: 'https://example.com/a.json' } } };
    assert.throws(
      () => s.registerTool('in', { inputSchema: ext }, ok),
      invalidDefinition(/https:\/\/example\.com\/a\.json.*outside the schema/),
    );
    assert.throws(() => s.registerTool('out', { outputSchema: ext }, ok), invalidDefinition(/outside the schema/));
  });
});

/** A low-level server that advertises tools with schemas tsmcp's McpServer would refuse. */
async function rawServer(version: ProtocolVersion) {
  const calls: string[] = [];
  const server = new Server({ name: 'raw', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [
      {
        name: 'old',
        inputSchema: { type: 'object' },
        outputSchema: { $schema: DRAFT_04, type: 'object', properties: { n: { type: 'number' } } },
      },
      {
        name: 'remote',
        inputSchema: { type: 'object' },
        outputSchema: { type: 'object', properties: { n: { $ref: 'https://example.com/n.json' } } },
      },
      {
        name: 'fine',
        inputSchema: { type: 'object' },
        outputSchema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { n: { type: 'number' } },
          required: ['n'],
        },
      },
    ],
  }));
  server.setRequestHandler('tools/call', (p) => {
    calls.push(p.name as string);
    return { content: [], structuredContent: { n: p.name === 'fine' ? 1 : 'x' } };
  });
  const [a, b] = createLinkedPair();
  const recorder = new WireRecorder();
  await new ServerConnection(server, recordTransport(b, recorder, 'server')).start();
  const warnings: TsmcpError[] = [];
  const client = new Client(
    { name: 'c', version: '1' },
    { version, onprotocolerror: (e) => warnings.push(e as TsmcpError) },
  );
  await client.connect(recordTransport(a, recorder, 'client'));
  return { client, calls, recorder, warnings };
}

for (const version of ['2026-07-28', '2025-11-25', '2025-06-18'] as ProtocolVersion[]) {
  describe(`client: tools whose outputSchema it cannot use (${version})`, () => {
    it('reports them at listTools and refuses to call them; the others still validate', async () => {
      const { client, calls, recorder, warnings } = await rawServer(version);
      const tools = await client.listAllTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        ['old', 'remote', 'fine'],
      );
      assert.deepEqual(
        warnings.map((w) => [w.code, /^Tool (old|remote) /.test(w.message)]),
        [
          ['TSMCP_OUTPUT_SCHEMA', true],
          ['TSMCP_OUTPUT_SCHEMA', true],
        ],
      );
      const unusable = (re: RegExp) => (e: unknown) =>
        e instanceof TsmcpError && e.code === 'TSMCP_OUTPUT_SCHEMA' && re.test(e.message);
      await assert.rejects(client.callTool('old'), unusable(/old.*draft-04.*2020-12/));
      await assert.rejects(client.callTool('remote'), unusable(/remote.*https:\/\/example\.com\/n\.json/));
      assert.deepEqual(calls, [], 'nothing was sent for the unusable tools');
      assert.deepEqual((await client.callTool('fine')).structuredContent, { n: 1 });
      recorder.assertClean();
    });
  });
}

describe('client: the default dialect follows the revision', () => {
  // Beside `$ref`, draft-07 ignores other keywords and 2020-12 applies them: `{ n: 1 }` passes only under draft-07.
  const outputSchema = {
    type: 'object',
    properties: { n: { $ref: '#/definitions/n', minimum: 5 } },
    definitions: { n: { type: 'number' } },
  };
  for (const [version, dialect] of [
    ['2025-06-18', 'draft-07'],
    ['2025-11-25', '2020-12'],
    ['2026-07-28', '2020-12'],
  ] as const) {
    it(`validates a schema without $schema as ${dialect} on ${version}`, async () => {
      const server = new Server({ name: 'raw', version: '1' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/list', () => ({
        tools: [{ name: 'n', inputSchema: { type: 'object' }, outputSchema }],
      }));
      server.setRequestHandler('tools/call', () => ({ content: [], structuredContent: { n: 1 } }));
      const [a, b] = createLinkedPair();
      const recorder = new WireRecorder();
      await new ServerConnection(server, recordTransport(b, recorder, 'server')).start();
      const client = new Client({ name: 'c', version: '1' }, { version });
      await client.connect(recordTransport(a, recorder, 'client'));
      await client.listAllTools();
      if (dialect === 'draft-07') assert.deepEqual((await client.callTool('n')).structuredContent, { n: 1 });
      else
        await assert.rejects(
          client.callTool('n'),
          (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_OUTPUT_SCHEMA' && /minimum|5/.test(e.message),
        );
      recorder.assertClean();
    });
  }
});
