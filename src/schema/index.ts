// Tool and prompt schemas without a forced schema library: a Standard Schema (zod, valibot, arktype…)
// or a raw JSON Schema object, compiled once into a JSON Schema to publish and a validator to run.
import { Validator } from '@cfworker/json-schema';
import { TsmcpError } from '../protocol/errors.js';
import { compileFastCheck } from './fast.js';
import type { StandardSchemaV1 } from './standard-schema.js';

export type { StandardSchemaV1 } from './standard-schema.js';
export { jsonSchema, type FromJsonSchema, type InferSchema } from './infer.js';

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
  /** A JSON Schema answers synchronously (no promise per call); a Standard Schema may not. */
  validate(value: unknown): ValidationResult | Promise<ValidationResult>;
}

const MAX_DEPTH = 64;
const MAX_NODES = 10_000;
/** The dialects tsmcp validates (spec: 2020-12 is required and the default; others MAY be supported). */
const DIALECTS: { [uri: string]: Dialect } = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'http://json-schema.org/draft-07/schema': '7',
};
/** A JSON Schema dialect tsmcp validates: `2020-12` or draft-07 (`7`). */
export type Dialect = '2020-12' | '7';
export interface CompileOptions {
  role: 'input' | 'output';
  /** Dialect of a schema without `$schema`. Default 2020-12 (the spec's default since 2025-11-25). */
  defaultDialect?: Dialect;
}

export function isStandardSchema(v: unknown): v is StandardSchemaV1 {
  // arktype's types are callable, so a schema may be a function as well as an object.
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    '~standard' in v &&
    typeof (v as StandardSchemaV1)['~standard']?.validate === 'function'
  );
}

/**
 * Compile a schema once. `role: 'input'` requires a root `type: "object"` (MCP's rule for tool inputs).
 * Raw JSON Schemas are kept exactly as written and validated as 2020-12 (or draft-07 if `$schema` says
 * so); any other `$schema` is refused (TSMCP_INVALID_DEFINITION), as is a `$ref` that points outside
 * the schema: nothing is ever fetched from the network.
 */
export function compileSchema(input: SchemaInput, options: CompileOptions): CompiledSchema {
  if (isStandardSchema(input)) return compileStandard(input, options.role);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', 'A schema must be a Standard Schema or a JSON Schema object');
  }
  return compileJsonSchema(input, options.role, options.defaultDialect ?? '2020-12');
}

function compileStandard(schema: StandardSchemaV1, role: 'input' | 'output'): CompiledSchema {
  const std = schema['~standard'];
  let json: JsonSchemaObject | undefined;
  const target = { target: 'draft-2020-12' };
  try {
    if (std.jsonSchema) json = role === 'input' ? std.jsonSchema.input(target) : std.jsonSchema.output(target);
    else if (typeof (schema as { toJsonSchema?: unknown }).toJsonSchema === 'function')
      json = (schema as unknown as { toJsonSchema(): JsonSchemaObject }).toJsonSchema();
    else if (typeof (schema as { toJSONSchema?: unknown }).toJSONSchema === 'function')
      json = (schema as unknown as { toJSONSchema(): JsonSchemaObject }).toJSONSchema();
  } catch (e) {
    throw new TsmcpError(
      'TSMCP_INVALID_DEFINITION',
      `The ${std.vendor} schema could not be converted to JSON Schema: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!json) {
    throw new TsmcpError(
      'TSMCP_INVALID_DEFINITION',
      `Cannot derive a JSON Schema from this ${std.vendor} schema; pass a JSON Schema object, or a schema that implements Standard JSON Schema`,
    );
  }
  checkShape(json, role, '2020-12');
  return {
    jsonSchema: json,
    async validate(value) {
      const r = await std.validate(value);
      if (!r.issues) return { ok: true, value: r.value };
      return {
        ok: false,
        issues: r.issues.map((i) => ({
          message: i.message,
          path: (i.path ?? []).map((p) => normaliseKey(typeof p === 'object' ? p.key : p)),
        })),
      };
    },
  };
}

function normaliseKey(k: PropertyKey): string | number {
  return typeof k === 'number' ? k : String(k);
}

function compileJsonSchema(
  schema: JsonSchemaObject,
  role: 'input' | 'output',
  defaultDialect: Dialect,
): CompiledSchema {
  const draft = checkShape(schema, role, defaultDialect);
  // The validator may annotate what it is given; keep the published object untouched.
  const copy = structuredClone(schema);
  const validator = new Validator(copy as never, draft, false);
  // The common tool schema is checked without the validator's per-call objects (about 1 KiB a call);
  // anything it does not accept goes to the validator, which decides and words the errors.
  const fast = compileFastCheck(copy);
  return {
    jsonSchema: schema,
    validate(value) {
      if (fast?.(value)) return { ok: true, value };
      const r = validator.validate(value);
      if (r.valid) return { ok: true, value };
      // Leaf errors say the most; keep the ones that point at a keyword other than the combinators.
      const leaves = r.errors.filter(
        (e) => !/\/(properties|allOf|anyOf|oneOf|then|else|items|\$ref)$/.test(e.keywordLocation),
      );
      const errors = leaves.length ? leaves : r.errors;
      return {
        ok: false,
        issues: errors.slice(0, 20).map((e) => ({
          message: e.error,
          path: e.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodePointer),
        })),
      };
    },
  };
}

function decodePointer(s: string): string {
  return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The dialect a `$schema` names (`#` and http/https spelling ignored), or why it cannot be used. */
function dialectOf($schema: unknown): Dialect | string {
  const uri = typeof $schema === 'string' ? $schema.replace(/#$/, '').replace(/^https?:/, '') : undefined;
  const found =
    uri === undefined ? undefined : Object.entries(DIALECTS).find(([u]) => u.replace(/^https?:/, '') === uri);
  if (found) return found[1];
  return `Unsupported JSON Schema dialect ${JSON.stringify($schema)}: tsmcp validates ${Object.keys(DIALECTS).join(' (2020-12, the default) and ')} (draft-07)`;
}

/**
 * Dialect, depth, size, root type and `$ref` checks, so validation cost is bounded, nothing is fetched
 * and no schema is validated under a dialect it was not written for. Returns the dialect to validate with.
 */
function checkShape(schema: JsonSchemaObject, role: 'input' | 'output', defaultDialect: Dialect): Dialect {
  if (role === 'input' && schema.type !== 'object') {
    throw new TsmcpError('TSMCP_INVALID_DEFINITION', 'A tool input schema must have type "object" at its root');
  }
  const dialect = schema.$schema === undefined ? defaultDialect : dialectOf(schema.$schema);
  if (dialect !== '7' && dialect !== '2020-12') throw new TsmcpError('TSMCP_INVALID_DEFINITION', dialect);
  const ids = new Set<string>();
  const refs: string[] = [];
  const nestedDialects: unknown[] = [];
  let nodes = 0;
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (++nodes > MAX_NODES)
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Schema is too large (more than ${MAX_NODES} nodes)`);
    if (depth > MAX_DEPTH)
      throw new TsmcpError('TSMCP_INVALID_DEFINITION', `Schema is nested too deeply (more than ${MAX_DEPTH} levels)`);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.$id === 'string') ids.add(o.$id.replace(/#$/, ''));
    if (typeof o.$ref === 'string') refs.push(o.$ref);
    // `$schema` means something only at the root of a resource (an object with `$id`); elsewhere it may be a property name.
    if (depth > 0 && typeof o.$id === 'string' && '$schema' in o) nestedDialects.push(o.$schema);
    for (const k in o) walk(o[k], depth + 1);
  };
  walk(schema, 0);
  for (const ref of refs) {
    if (ref.startsWith('#')) continue;
    const base = ref.split('#')[0]!;
    if (!ids.has(base)) {
      throw new TsmcpError(
        'TSMCP_INVALID_DEFINITION',
        `Schema $ref ${JSON.stringify(ref)} points outside the schema; external references are never fetched`,
      );
    }
  }
  // One validator runs the whole schema, so an embedded resource may not switch dialects.
  for (const nested of nestedDialects) {
    const d = dialectOf(nested);
    if (d !== dialect)
      throw new TsmcpError(
        'TSMCP_INVALID_DEFINITION',
        d === '7' || d === '2020-12'
          ? `Schema mixes dialects: ${JSON.stringify(nested)} inside a ${dialect === '7' ? 'draft-07' : '2020-12'} schema`
          : d,
      );
  }
  return dialect;
}

/**
 * One readable sentence from validation issues, each with its field path, e.g. `Invalid arguments: a: Expected
 * number`. `what` names the value checked (default `Invalid arguments`; output checks say output).
 */
export function formatIssues(issues: readonly SchemaIssue[], what = 'Invalid arguments'): string {
  return `${what}: ${issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`;
}

/** The sentence for structured output that breaks its outputSchema (both sides say the same). */
export function outputMismatch(tool: string, issues: readonly SchemaIssue[]): string {
  return formatIssues(
    issues,
    `Tool ${tool} returned output (structuredContent) that does not match its outputSchema; fix the tool's result or its outputSchema`,
  );
}
