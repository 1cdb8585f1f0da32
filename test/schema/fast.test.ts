// The fast accept check of the common tool schema agrees with @cfworker/json-schema on random schemas
// and values (fast-check), and declines every schema outside its shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Validator } from '@cfworker/json-schema';
import { compileFastCheck } from '../../src/schema/fast.js';

const typeName = fc.constantFrom('string', 'number', 'integer', 'boolean', 'null', 'object', 'array');
const key = fc.constantFrom('a', 'b', 'text', 'n', '__proto__', 'constructor', 'x y', '');
const propertySchema = fc.oneof(
  fc.constant(true as const),
  fc.record({ type: typeName }),
  fc.record({ type: fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 }) }),
  fc.record({ description: fc.string() }, { requiredKeys: [] }),
  fc.record({ type: typeName, title: fc.string(), 'x-mcp-header': fc.constant('X-A') }, { requiredKeys: ['type'] }),
);
const objectSchema = fc.record(
  {
    type: fc.constant('object'),
    properties: fc.dictionary(key, propertySchema, { maxKeys: 4 }),
    required: fc.uniqueArray(key, { maxLength: 3 }),
    additionalProperties: fc.boolean(),
  },
  { requiredKeys: ['type'] },
);
// Values near the schemas: the same keys, every JSON type, numbers the integer test treats specially.
const scalar = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const value = fc.oneof(
  { depthSize: 'small' },
  fc.dictionary(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.dictionary(key, scalar)), {
    maxKeys: 5,
  }),
  scalar,
  fc.array(scalar, { maxLength: 2 }),
);

function agree(schema: { [k: string]: unknown }, draft: '2020-12' | '7', v: unknown): void {
  const fast = compileFastCheck(schema);
  assert.ok(fast, `fast path declined ${JSON.stringify(schema)}`);
  const full = new Validator(structuredClone(schema) as never, draft, false).validate(v).valid;
  assert.equal(fast(v), full, `${JSON.stringify(schema)} on ${String(JSON.stringify(v))}`);
}

describe('schema fast path', () => {
  it('accepts exactly what the full validator accepts, 2020-12 and draft-07', () => {
    fc.assert(
      fc.property(objectSchema, value, fc.constantFrom('2020-12' as const, '7' as const), (s, v, d) => agree(s, d, v)),
      { numRuns: 3000 },
    );
  });

  it('agrees on objects parsed from JSON (own "__proto__" keys)', () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"a":{"type":"integer"}},"required":["__proto__"],"additionalProperties":false}',
    );
    for (const text of [
      '{"__proto__":"x"}',
      '{"__proto__":1}',
      '{"__proto__":"x","a":2}',
      '{"__proto__":"x","b":2}',
      '{}',
    ])
      agree(schema, '2020-12', JSON.parse(text));
  });

  it('agrees on inherited keys and values JSON cannot carry (the full validator decides them)', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
    const inherited = Object.create({ b: 1 });
    inherited.a = 'x';
    agree(schema, '2020-12', inherited);
    const fast = compileFastCheck(schema)!;
    assert.equal(fast({ a: undefined }), false);
    assert.equal(compileFastCheck({ type: 'object', properties: { a: {} } })!({ a: undefined }), false);
  });

  it('declines schemas outside its shape', () => {
    for (const s of [
      { type: 'object', properties: { a: { type: 'string', minLength: 1 } } },
      { type: 'object', properties: { a: { $ref: '#' } } },
      { type: 'object', properties: { a: false } },
      { type: 'object', properties: { a: { type: 'object', properties: {} } } },
      { type: 'object', additionalProperties: { type: 'string' } },
      { type: 'object', anyOf: [] },
      { type: 'object', patternProperties: {} },
      { type: 'object', $defs: {} },
      { type: 'object', required: [1] },
      { type: 'string' },
      { type: ['object'] },
      { type: 'object', properties: { a: { type: 'strin' } } },
      { type: 'object', properties: { a: { type: [] } } },
    ])
      assert.equal(compileFastCheck(s), undefined, JSON.stringify(s));
  });
});
