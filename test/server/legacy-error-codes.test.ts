// Error codes that only exist from 2026-07-28 on never reach an older peer: a missing client capability
// (-32021 on the modern wire) is -32600 on a legacy session, with the same message and data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

function server(): McpServer {
  const s = new McpServer({ name: 'codes', version: '1' });
  s.registerPrompt('confirm', { description: 'asks the user first' }, async (_a, ctx) => {
    await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object', properties: {} } });
    return { messages: [] };
  });
  return s;
}

describe('2026-only error codes on legacy sessions', () => {
  for (const version of ['2025-11-25', '2025-06-18'] as const) {
    it(`a missing client capability is -32600 at ${version}`, async () => {
      const { client, recorder } = await connectPair(server(), { version, capabilities: {} });
      const e = await client.getPrompt('confirm').then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof McpError, String(e));
      assert.equal(e.code, -32600);
      assert.deepEqual((e.data as { requiredCapabilities: unknown }).requiredCapabilities, {
        elicitation: { form: {} },
      });
      recorder.assertClean();
      await client.close();
    });
  }
  it('stays -32021 on the modern wire', async () => {
    const { client } = await connectPair(server(), { capabilities: {} });
    const e = await client.getPrompt('confirm').then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof McpError && e.code === -32021, String(e));
    await client.close();
  });
});
