// With node:test (`node --test`, or run the file): one connection per test, on both eras.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectInMemory } from 'tsmcp/testing';
import { createServer } from './server.js';

for (const era of ['modern', 'legacy'] as const) {
  describe(`calculator (${era})`, () => {
    it('lists its tool', async () => {
      const { client, close } = await connectInMemory(createServer(), { era });
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        ['add'],
      );
      await close();
    });

    it('adds', async () => {
      const { client, close } = await connectInMemory(createServer(), { era });
      const result = await client.callTool('add', { a: 2, b: 3 });
      assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
      await close();
    });
  });
}
