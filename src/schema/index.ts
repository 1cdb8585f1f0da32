// Tool and prompt schemas without a forced schema library: a Standard Schema (zod, valibot, arktype…)
// or a raw JSON Schema object, compiled once into a JSON Schema to publish and a validator to run.
import { Validator } from '@cfworker/json-schema';
import { TsmcpError } from '../protocol/errors.js';
import type { StandardSchemaV1 } from './standard-schema.js';

export type { StandardSchemaV1 } from './standard-schema.js';

/** A JSON Schema given as a plain object; published exactly as written. */
export type JsonSchemaObject = { readonly [key: string]: unknown };
export type SchemaInput = StandardSchemaV1 | JsonSchemaObject;

export interface SchemaIssue {
  message: string;
  path: (string | number)[];
}
export type ValidationResult = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

export interface CompiledSchema {
  /** The JSON Schema to publish (in tools/list). */
  readonly jsonSchema: JsonSchemaObject;
  validate(value: unknown): Promise<ValidationResult>;
}

const MAX_DEPTH = 64;
const MAX_NODES = 10_000;
const DRAFT_07 = /json-schema\.org\/draft-07\/schema/;

export function isStandardSchema(v: unknown): v is StandardSchemaV1 {
  // arktype's types are callable, so a schema may be a function as well as an object.
  return (typeof v === 'object' || typeof v === 'function') && v !== null && '~standard' in v && typeof (v as StandardSchemaV1)['~standard']?.validate === 'function';
}

/**
 * Compile a schema once. `role: 'input'` requires a root `type: "object"` (MCP's rule for tool inputs).
 * Raw JSON Schemas are kept exactly as written and validated as 2020-12 (or draft-07 if `$schema` says
 * so); `$ref`s are resolved only inside the schema — nothing is ever fetched from the network.
 */
export function compileSchema(input: SchemaInput, options: { role: 'input' | 'output' }): CompiledSchema {
  if (isStandardSchema(input)) return compileStandard(input, options.role);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', 'A schema must be a Standard Schema or a JSON Schema object');
  }
  return compileJsonSchema(input, options.role);
}

function compileStandard(schema: StandardSchemaV1, role: 'input' | 'output'): CompiledSchema {
  const std = schema['~standard'];
  let json: JsonSchemaObject | undefined;
  const target = { target: 'draft-2020-12' };
  try {
    if (std.jsonSchema) json = role === 'input' ? std.jsonSchema.input(target) : std.jsonSchema.output(target);
    else if (typeof (schema as { toJsonSchema?: unknown }).toJsonSchema === 'function') json = (schema as unknown as { toJsonSchema(): JsonSchemaObject }).toJsonSchema();
    else if (typeof (schema as { toJSONSchema?: unknown }).toJSONSchema === 'function') json = (schema as unknown as { toJSONSchema(): JsonSchemaObject }).toJSONSchema();
  } catch (e) {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', `The ${std.vendor} schema could not be converted to JSON Schema: ${(e as Error).message}`, { cause: e });
  }
  if (!json) {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Cannot derive a JSON Schema from this ${std.vendor} schema; pass a JSON Schema object, or a schema that implements Standard JSON Schema`);
  }
  checkShape(json, role);
  return {
    jsonSchema: json,
    async validate(value) {
      const r = await std.validate(value);
      if (!r.issues) return { ok: true, value: r.value };
      return { ok: false, issues: r.issues.map((i) => ({ message: i.message, path: (i.path ?? []).map((p) => normaliseKey(typeof p === 'object' ? p.key : p)) })) };
    },
  };
}

function normaliseKey(k: PropertyKey): string | number {
  return typeof k === 'number' ? k : String(k);
}

function compileJsonSchema(schema: JsonSchemaObject, role: 'input' | 'output'): CompiledSchema {
  checkShape(schema, role);
  const draft = typeof schema.$schema === 'string' && DRAFT_07.test(schema.$schema) ? '7' : '2020-12';
  // The validator may annotate what it is given; keep the published object untouched.
  const validator = new Validator(structuredClone(schema) as never, draft, false);
  return {
    jsonSchema: schema,
    async validate(value) {
      const r = validator.validate(value);
      if (r.valid) return { ok: true, value };
      // Leaf errors say the most; keep the ones that point at a keyword other than the combinators.
      const leaves = r.errors.filter((e) => !/\/(properties|allOf|anyOf|oneOf|then|else|items|\$ref)$/.test(e.keywordLocation));
      const errors = leaves.length ? leaves : r.errors;
      return {
        ok: false,
        issues: errors.slice(0, 20).map((e) => ({ message: e.error, path: e.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodePointer) })),
      };
    },
  };
}

function decodePointer(s: string): string {
  return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Depth, size, root type and `$ref` checks, so validation cost is bounded and nothing is fetched. */
function checkShape(schema: JsonSchemaObject, role: 'input' | 'output'): void {
  if (role === 'input' && schema.type !== 'object') {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', 'A tool input schema must have type "object" at its root');
  }
  const ids = new Set<string>();
  const refs: string[] = [];
  let nodes = 0;
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (++nodes > MAX_NODES) throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Schema is too large (more than ${MAX_NODES} nodes)`);
    if (depth > MAX_DEPTH) throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Schema is nested too deeply (more than ${MAX_DEPTH} levels)`);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.$id === 'string') ids.add(o.$id.replace(/#$/, ''));
    if (typeof o.$ref === 'string') refs.push(o.$ref);
    for (const k in o) walk(o[k], depth + 1);
  };
  walk(schema, 0);
  for (const ref of refs) {
    if (ref.startsWith('#')) continue;
    const base = ref.split('#')[0]!;
    if (!ids.has(base)) {
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Schema $ref ${JSON.stringify(ref)} points outside the schema; external references are never fetched`);
    }
  }
}

/** One readable sentence from validation issues, e.g. `Invalid arguments: a: Expected number`. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return `Invalid arguments: ${issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`;
}
