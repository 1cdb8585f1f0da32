// The server never sends a sampling request the client did not declare support for: includeContext
// thisServer/allServers needs `sampling.context` (from 2025-11-25, where the capability exists), tools
// and toolChoice need `sampling.tools`. Refusals are -32021 (-32600 on legacy revisions, which lack that code) naming the capability. Every message is
// checked against the revision's schema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpError, type ClientCapabilities, type CreateMessageParams, type ProtocolVersion } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

function samplingServer(): McpServer {
  const s = new McpServer({ name: 'sampler', version: '1' });
  s.registerTool(
    'sample',
    { inputSchema: { type: 'object', properties: { includeContext: { type: 'string' }, tools: { type: 'boolean' } } } },
    async (args, ctx) => {
      const params: CreateMessageParams = {
        messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
        maxTokens: 5,
      };
      if (typeof args.includeContext === 'string')
        params.includeContext = args.includeContext as CreateMessageParams['includeContext'];
      if (args.tools === true) params.tools = [{ name: 'lookup', inputSchema: { type: 'object' } }];
      const r = await ctx.createMessage(params);
      return { content: [{ type: 'text', text: r.model }] };
    },
  );
  return s;
}

async function pair(version: ProtocolVersion, sampling: NonNullable<ClientCapabilities['sampling']>) {
  const seen: CreateMessageParams[] = [];
  const { client, recorder } = await connectPair(samplingServer(), {
    version,
    capabilities: { sampling },
    handlers: {
      sampling: (p) => (seen.push(p), { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' }),
    },
  });
  return { client, recorder, seen };
}

/** -32021 on the 2026-07-28 wire; legacy revisions have no such code and get -32600 with the same data. */
const refusedAt = (version: ProtocolVersion) => (capability: object) => (e: unknown) =>
  e instanceof McpError &&
  e.code === (version === '2026-07-28' ? -32021 : -32600) &&
  JSON.stringify(e.data) === JSON.stringify({ requiredCapabilities: { sampling: capability } });

for (const version of ['2025-11-25', '2026-07-28'] as const) {
  const refused = refusedAt(version);
  describe(`sampling capability gating (${version})`, () => {
    it('includeContext thisServer/allServers is refused without sampling.context; none and absent go out', async () => {
      const { client, recorder, seen } = await pair(version, {});
      for (const includeContext of ['thisServer', 'allServers']) {
        await assert.rejects(client.callTool('sample', { includeContext }), refused({ context: {} }));
      }
      assert.equal(seen.length, 0, 'nothing reached the client');
      await client.callTool('sample', { includeContext: 'none' });
      await client.callTool('sample', {});
      assert.equal(seen.length, 2);
      recorder.assertClean();
      await client.close();
    });

    it('includeContext goes out to a client that declared sampling.context', async () => {
      const { client, recorder, seen } = await pair(version, { context: {} });
      await client.callTool('sample', { includeContext: 'thisServer' });
      assert.equal(seen[0]?.includeContext, 'thisServer');
      recorder.assertClean();
      await client.close();
    });

    it('tools are refused without sampling.tools and go out with it', async () => {
      const bare = await pair(version, {});
      await assert.rejects(bare.client.callTool('sample', { tools: true }), refused({ tools: {} }));
      assert.equal(bare.seen.length, 0);
      bare.recorder.assertClean();
      await bare.client.close();
      const ok = await pair(version, { tools: {} });
      await ok.client.callTool('sample', { tools: true });
      assert.equal(ok.seen[0]?.tools?.[0]?.name, 'lookup');
      ok.recorder.assertClean();
      await ok.client.close();
    });
  });
}

describe('sampling capability gating before 2025-11-25', () => {
  it('2025-06-18 has no sampling.context: includeContext is sent as that revision allows', async () => {
    const { client, recorder, seen } = await pair('2025-06-18', {});
    await client.callTool('sample', { includeContext: 'thisServer' });
    assert.equal(seen[0]?.includeContext, 'thisServer');
    recorder.assertClean();
    await client.close();
  });
});
