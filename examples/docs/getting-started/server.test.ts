// server.test.ts: the same server tested in memory with node:test, on both eras, every message
// checked against the official schema of the revision in use (tsmcp/testing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectInMemory } from 'tsmcp/testing';
import server from './server.js';

for (const era of ['modern', 'legacy'] as const) {
  test(`add on the ${era} era`, async () => {
    const { client, close } = await connectInMemory(server, { era });
    try {
      const result = await client.callTool('add', { a: 2, b: 3 });
      assert.deepEqual(result.structuredContent, { sum: 5 });
    } finally {
      await close();
    }
  });
}
