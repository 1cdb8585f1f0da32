// tsmcp/testing: connectInMemory on both eras and pinned legacy revisions comes out clean; a message that
// breaks the schema fails its call (or close()) with TSMCP_WIRE_INVALID naming message, direction,
// revision and schema path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TsmcpError } from 'tsmcp';
import type { ClientMiddleware } from 'tsmcp/client';
import { McpServer, type Middleware } from 'tsmcp/server';
import { connectInMemory, WireViolationError } from 'tsmcp/testing';

function demoServer(): McpServer {
  const server = new McpServer({ name: 'demo', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool(
    'add',
    {
      description: 'Add two numbers',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
    },
    async ({ a, b }, ctx) => {
      await ctx.progress(1, 1);
      return { content: [{ type: 'text', text: String(Number(a) + Number(b)) }] };
    },
  );
  server.registerPrompt('greet', { description: 'Say hello' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }],
  }));
  server.registerResource('readme', 'file:///readme.md', { mimeType: 'text/markdown' }, () => ({
    contents: [{ uri: 'file:///readme.md', text: '# hi' }],
  }));
  return server;
}

/** A server middleware that drops `inputSchema` from every listed tool: a result the schema refuses. */
const dropInputSchema: Middleware = async (req, next) => {
  const result = await next();
  if (req.method !== 'tools/list') return result;
  const tools = (result.tools as Record<string, unknown>[]).map(({ inputSchema: _, ...tool }) => tool);
  return { ...result, tools };
};

const isWireError = (e: unknown): e is WireViolationError =>
  e instanceof WireViolationError && e instanceof TsmcpError && e.code === 'TSMCP_WIRE_INVALID';

describe('connectInMemory', () => {
  for (const era of ['auto', 'modern', 'legacy', '2025-06-18', '2025-03-26', '2024-11-05'] as const) {
    it(`speaks ${era} and every message matches the schema`, async () => {
      const { client, wire, close } = await connectInMemory(demoServer(), { era });
      const expected = era === 'auto' || era === 'modern' ? '2026-07-28' : era === 'legacy' ? '2025-11-25' : era;
      assert.equal(wire.revision, expected);
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        ['add'],
      );
      let progress = 0;
      const r = await client.callTool('add', { a: 2, b: 3 }, { onprogress: () => progress++ });
      assert.deepEqual(r.content, [{ type: 'text', text: '5' }]);
      assert.equal(progress, 1);
      assert.equal((await client.getPrompt('greet')).messages.length, 1);
      assert.equal((await client.readResource('file:///readme.md')).contents.length, 1);
      await close();
      assert.deepEqual(wire.violations, []);
      assert.ok(wire.messages.length >= 8, `only ${wire.messages.length} messages recorded`);
      assert.ok(wire.messages.some((m) => m.direction === 'server->client'));
    });
  }

  for (const era of ['modern', '2025-06-18'] as const) {
    it(`checks input requests and their answers too (${era}: elicitation)`, async () => {
      const server = new McpServer({ name: 'asker', version: '1.0.0' });
      server.registerTool('ask', {}, async (_args, ctx) => {
        const answer = await ctx.elicit({
          message: 'Your name?',
          requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        });
        return { content: [{ type: 'text', text: `hi ${String(answer.content?.name)}` }] };
      });
      const { client, wire, close } = await connectInMemory(server, {
        era,
        client: { handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) } },
      });
      assert.deepEqual((await client.callTool('ask')).content, [{ type: 'text', text: 'hi Ada' }]);
      await close();
      assert.deepEqual(wire.violations, []);
      const elicitations = wire.messages.filter((m) => JSON.stringify(m.message).includes('elicitation/create'));
      assert.ok(elicitations.length >= 1, 'no elicitation crossed the wire');
    });

    it(`fails the call whose answer breaks the schema (${era}): tools/list without inputSchema`, async () => {
      const server = demoServer();
      server.use(dropInputSchema);
      const { client, close } = await connectInMemory(server, { era });
      const revision = era === 'modern' ? '2026-07-28' : era;
      const defs = era === 'modern' ? '$defs' : 'definitions';
      await assert.rejects(client.listTools(), (e: unknown) => {
        assert.ok(isWireError(e), String(e));
        if (process.env.SHOW) console.log(e.message);
        assert.match(e.message, /server->client ListToolsResult \(tools\/list, id \d+\), sent by the server/);
        assert.match(e.message, new RegExp(`MCP ${revision} schema`));
        assert.ok(e.message.includes(`[#/${defs}/Tool/required]`), e.message);
        assert.match(e.message, /\/tools\/0: Instance does not have required property "inputSchema"/);
        assert.equal(e.violations[0]!.revision, revision);
        assert.equal(e.violations[0]!.schemaPath, `#/${defs}/Tool/required`);
        return true;
      });
      // Reported through the call: close() has nothing more to say, and the connection still works.
      assert.equal((await client.callTool('add', { a: 1, b: 1 })).isError, undefined);
      await close();
    });
  }

  it('fails the call whose request breaks the schema (client side), before it is sent', async () => {
    const server = demoServer();
    let calls = 0;
    server.use((req, next) => (req.method === 'tools/call' && calls++, next()));
    const { client, close } = await connectInMemory(server, { era: 'legacy' });
    const numericName: ClientMiddleware = (req, next) => {
      if (req.method === 'tools/call') req.params = { ...req.params, name: 42 };
      return next();
    };
    client.use(numericName);
    await assert.rejects(client.callTool('add', { a: 1, b: 2 }), (e: unknown) => {
      assert.ok(isWireError(e), String(e));
      if (process.env.SHOW) console.log(e.message);
      assert.match(e.message, /client->server CallToolRequest \(tools\/call, id \d+\), sent by the client/);
      assert.match(e.message, /MCP 2025-11-25 schema/);
      assert.match(e.message, /\/params\/name: /);
      assert.match(e.violations[0]!.schemaPath, /^#\/\$defs\/CallToolRequest/);
      return true;
    });
    assert.equal(calls, 0, 'the broken request reached the server');
    await close();
  });

  it('makes close() throw for a broken answer the client sent to a server request (legacy elicitation)', async () => {
    const server = new McpServer({ name: 'asker', version: '1.0.0' });
    server.registerTool('ask', {}, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object', properties: {} } });
      return { content: [{ type: 'text', text: String(answer.action) }] };
    });
    const { client, close } = await connectInMemory(server, {
      era: '2025-06-18',
      client: { handlers: { elicitation: () => ({ action: 'maybe' as 'accept' }) } },
    });
    await client.callTool('ask').catch(() => {}); // what the server makes of the answer is not the point
    await assert.rejects(close(), (e: unknown) => {
      assert.ok(isWireError(e), String(e));
      assert.match(e.message, /client->server ElicitResult \(elicitation\/create, id \d+\), sent by the client/);
      assert.match(e.message, /MCP 2025-06-18 schema/);
      assert.match(e.message, /\/action: .*\[#\/definitions\/ElicitResult\/properties\/action\/enum\]/);
      return true;
    });
  });

  it('makes close() throw for a broken message outside any call (a log notification)', async () => {
    const server = new McpServer({ name: 'noisy', version: '1.0.0' }, { capabilities: { logging: {} } });
    server.registerTool('shout', {}, async (_args, ctx) => {
      await ctx.log('loud' as 'info', 'too loud');
      return { content: [] };
    });
    const { client, close } = await connectInMemory(server, { era: '2025-03-26' });
    await client.callTool('shout');
    await assert.rejects(close(), (e: unknown) => {
      assert.ok(isWireError(e), String(e));
      if (process.env.SHOW) console.log(e.message);
      assert.match(e.message, /server->client LoggingMessageNotification \(notifications\/message\)/);
      assert.match(e.message, /MCP 2025-03-26 schema/);
      assert.match(e.message, /#\/definitions\/LoggingLevel/);
      return true;
    });
  });
});
