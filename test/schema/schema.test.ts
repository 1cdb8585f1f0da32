// The schema adapter: JSON Schema from zod, valibot and arktype through Standard JSON Schema; raw
// JSON Schema kept exactly as written and validated as 2020-12; cost and $ref bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import * as v from 'valibot';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import { compileSchema, formatIssues } from '../../src/schema/index.js';
import { TsmcpError } from '../../src/index.js';
import { JSON_SCHEMA_2020_12 } from '../../examples/conformance/everything.js';

describe('compileSchema', () => {
  const libs = {
    zod: z.object({ n: z.number(), tags: z.array(z.string()).optional() }),
    valibot: toStandardJsonSchema(v.object({ n: v.number(), tags: v.optional(v.array(v.string())) })),
    arktype: type({ n: 'number', 'tags?': 'string[]' }),
  };
  for (const [name, schema] of Object.entries(libs)) {
    it(`${name}: publishes an object JSON Schema and validates with the library`, async () => {
      const c = compileSchema(schema, { role: 'input' });
      assert.equal(c.jsonSchema.type, 'object');
      assert.ok((c.jsonSchema.properties as Record<string, unknown>).n);
      assert.deepEqual(await c.validate({ n: 1, tags: ['a'] }), { ok: true, value: { n: 1, tags: ['a'] } });
      const bad = await c.validate({ n: 'one', tags: [1] });
      assert.equal(bad.ok, false);
      if (!bad.ok) {
        assert.ok(bad.issues.some((i) => i.path[0] === 'n'));
        assert.match(formatIssues(bad.issues), /^Invalid arguments: .*n/);
      }
    });
  }

  it('keeps a raw 2020-12 schema exactly as written and validates its conditionals and $refs', async () => {
    const c = compileSchema(JSON_SCHEMA_2020_12, { role: 'input' });
    assert.equal(c.jsonSchema, JSON_SCHEMA_2020_12);
    assert.deepEqual(JSON.parse(JSON.stringify(c.jsonSchema)), JSON.parse(JSON.stringify(JSON_SCHEMA_2020_12)));
    assert.equal((await c.validate({ name: 'Ada', email: 'ada@example.com' })).ok, true);
    assert.equal((await c.validate({ name: 'Ada' })).ok, false, 'anyOf inside allOf: phone or email');
    assert.equal(
      (await c.validate({ name: 'Ada', contactMethod: 'phone', email: 'a@b.c' })).ok,
      false,
      'if/then: phone required',
    );
    assert.equal((await c.validate({ name: 'Ada', contactMethod: 'phone', phone: '123' })).ok, true);
    assert.equal((await c.validate({ name: 'Ada', phone: '123' })).ok, false, 'else: email required');
    assert.equal(
      (await c.validate({ name: 'Ada', email: 'a@b.c', address: { street: 1 } })).ok,
      false,
      '$ref to $defs',
    );
    assert.equal((await c.validate({ name: 'Ada', email: 'a@b.c', extra: 1 })).ok, false, 'additionalProperties');
  });

  it('honours a draft-07 $schema', async () => {
    const c = compileSchema(
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
      },
      { role: 'input' },
    );
    assert.equal((await c.validate({})).ok, false);
    assert.equal((await c.validate({ a: 'x' })).ok, true);
  });

  it('accepts any output schema but requires an object root for input', () => {
    assert.ok(compileSchema({ type: 'array' }, { role: 'output' }));
    assert.throws(
      () => compileSchema({ type: 'array' }, { role: 'input' }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION',
    );
    assert.throws(() => compileSchema(z.string() as never, { role: 'input' }), /type "object"/);
  });

  it('refuses external $refs, absurd depth and size', () => {
    assert.throws(
      () =>
        compileSchema(
          { type: 'object', properties: { a: { $ref: 'https://example.com/schema.json' } } },
          { role: 'input' },
        ),
      /never fetched/,
    );
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 100; i++) deep = { type: 'object', properties: { a: deep } };
    assert.throws(() => compileSchema(deep, { role: 'input' }), /nested too deeply/);
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 11_000; i++) wide[`p${i}`] = { type: 'string' };
    assert.throws(() => compileSchema({ type: 'object', properties: wide }, { role: 'input' }), /too large/);
  });

  it('explains a schema it cannot publish', () => {
    const opaque = { '~standard': { version: 1, vendor: 'mystery', validate: (x: unknown) => ({ value: x }) } };
    assert.throws(
      () => compileSchema(opaque as never, { role: 'input' }),
      /Cannot derive a JSON Schema from this mystery schema/,
    );
  });
});
