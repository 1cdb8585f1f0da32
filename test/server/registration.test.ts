// Registration-time checks: definitions that compliant clients would drop or misread are refused at
// registerTool with TSMCP_INVALID_DEFINITION, naming the tool and the rule (SEP-2243 x-mcp-header, SEP-986 names).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { TsmcpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

const ok = () => ({ content: [] });
const refused = (tool: string, rule: RegExp) => (e: unknown) =>
  e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION' && e.message.includes(tool) && rule.test(e.message);
const header = (h: unknown, type: unknown = 'string') => ({
  type: 'object',
  properties: { p: { type, 'x-mcp-header': h } },
});

describe('registerTool: x-mcp-header annotations', () => {
  it('refuses annotations HTTP clients must drop the tool for', () => {
    const s = new McpServer({ name: 's', version: '1' });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['empty', header(''), /x-mcp-header.*token/],
      ['space', header('Has Space'), /x-mcp-header.*token/],
      ['crlf', header('A\r\nB'), /x-mcp-header.*token/],
      ['non_string', header(7), /x-mcp-header.*token/],
      ['number_type', header('N', 'number'), /string, integer or boolean/],
      ['no_type', { type: 'object', properties: { p: { 'x-mcp-header': 'P' } } }, /string, integer or boolean/],
      [
        'twice',
        {
          type: 'object',
          properties: {
            a: { type: 'string', 'x-mcp-header': 'Region' },
            b: { type: 'string', 'x-mcp-header': 'region' },
          },
        },
        /used twice/,
      ],
      [
        'in_items',
        { type: 'object', properties: { a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } } },
        /not a root property/,
      ],
      [
        'in_anyof',
        { type: 'object', anyOf: [{ properties: { a: { type: 'string', 'x-mcp-header': 'A' } } }] },
        /not a root property/,
      ],
      [
        'in_defs',
        {
          type: 'object',
          properties: { a: { $ref: '#/$defs/a' } },
          $defs: { a: { type: 'string', 'x-mcp-header': 'A' } },
        },
        /not a root property/,
      ],
    ];
    for (const [name, inputSchema, rule] of cases) {
      assert.throws(() => s.registerTool(name, { inputSchema }, ok), refused(name, rule), name);
    }
    // A Standard Schema that carries the annotation is held to the same rule.
    assert.throws(
      () =>
        s.registerTool('zod_number', { inputSchema: z.object({ n: z.number().meta({ 'x-mcp-header': 'N' }) }) }, ok),
      refused('zod_number', /string, integer or boolean/),
    );
    // A property may be called `x-mcp-header`: that is a name, not the annotation.
    s.registerTool(
      'named',
      {
        inputSchema: {
          type: 'object',
          properties: {
            'x-mcp-header': { type: 'string' },
            o: { type: 'object', properties: { 'x-mcp-header': { type: 'number' } } },
          },
        },
      },
      ok,
    );
    // Every valid kind is accepted.
    s.registerTool(
      'good',
      {
        inputSchema: {
          type: 'object',
          properties: {
            r: { type: 'string', 'x-mcp-header': 'Region' },
            n: { type: 'integer', 'x-mcp-header': 'N' },
            b: { type: 'boolean', 'x-mcp-header': 'Flag' },
          },
        },
      },
      ok,
    );
  });

  it('only the valid tools reach clients', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    assert.throws(() => s.registerTool('bad', { inputSchema: header('A B') }, ok));
    s.registerTool('good', { inputSchema: header('Region') }, ok);
    const { client, recorder } = await connectPair(s);
    assert.deepEqual(
      (await client.listAllTools()).map((t) => t.name),
      ['good'],
    );
    recorder.assertClean();
  });
});

describe('registerTool: names', () => {
  it('refuses names outside 1-128 of A-Za-z0-9_.- (SEP-986)', () => {
    const s = new McpServer({ name: 's', version: '1' });
    for (const name of ['', 'a/b', 'a b', 'ä', 'x'.repeat(129), 'a,b']) {
      assert.throws(
        () => s.registerTool(name, {}, ok),
        (e: unknown) =>
          e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION' && /Invalid tool name/.test(e.message),
        JSON.stringify(name),
      );
    }
    for (const name of ['a', 'x'.repeat(128), 'A-z_0.9']) s.registerTool(name, {}, ok);
  });
});
