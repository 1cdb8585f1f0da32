// Tools whose structuredContent is typed from their outputSchema (test/types/structured-output.ts holds
// the compile-time half) still run over the memory transport, on both eras, wire checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import { McpServer, jsonSchema } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

function server(): McpServer {
  const s = new McpServer({ name: 'typed', version: '1.0.0' });
  s.registerTool('zod', { outputSchema: z.object({ unit: z.enum(['C', 'F']) }) }, () => ({
    structuredContent: { unit: 'C' as const },
  }));
  s.registerTool('valibot', { outputSchema: toStandardJsonSchema(v.object({ n: v.number() })) }, () => ({
    structuredContent: { n: 1 },
  }));
  s.registerTool('arktype', { outputSchema: type({ tags: 'string[]' }) }, () => ({
    structuredContent: { tags: ['a'] },
  }));
  s.registerTool(
    'json',
    { outputSchema: { type: 'object', properties: { note: { type: ['string', 'null'] } }, required: ['note'] } },
    () => ({ structuredContent: { note: null } }),
  );
  const weather = jsonSchema({ type: 'object', properties: { temp: { type: 'number' } }, required: ['temp'] });
  s.registerTool('helper', { outputSchema: weather }, () => ({ structuredContent: { temp: 21 } }));
  s.registerTool('failing', { outputSchema: weather }, () => ({
    content: [{ type: 'text', text: 'no sensor' }],
    isError: true,
  }));
  return s;
}

const expected: { [tool: string]: unknown } = {
  zod: { unit: 'C' },
  valibot: { n: 1 },
  arktype: { tags: ['a'] },
  json: { note: null },
  helper: { temp: 21 },
};

describe('typed structured output over the memory transport', () => {
  for (const version of ['2026-07-28', '2025-11-25', '2025-06-18'] as const) {
    it(`answers with the structured content (${version})`, async () => {
      const { client, recorder } = await connectPair(server(), { version });
      await client.listAllTools();
      for (const [name, content] of Object.entries(expected)) {
        const result = await client.callTool(name, {});
        assert.deepEqual(result.structuredContent, content, name);
        assert.equal(result.isError, undefined, name);
      }
      const failed = await client.callTool('failing', {});
      assert.equal(failed.isError, true);
      assert.deepEqual(failed.content, [{ type: 'text', text: 'no sensor' }]);
      await client.close();
      recorder.assertClean();
    });
  }

  it('publishes the JSON Schema literal exactly as written', async () => {
    const { client } = await connectPair(server());
    const tools = await client.listAllTools();
    assert.deepEqual(tools.find((t) => t.name === 'helper')?.outputSchema, {
      type: 'object',
      properties: { temp: { type: 'number' } },
      required: ['temp'],
    });
    await client.close();
  });
});
