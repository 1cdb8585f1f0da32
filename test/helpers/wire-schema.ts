// Test helper: validate one wire message against the official JSON Schema of an MCP protocol revision.
// Which type a message is checked against, the spec rules the schemas cannot express and the violations
// reported are tsmcp/testing's (src/testing/validate.ts, one implementation); this adapter plugs in the
// test suite's engine, ajv + ajv-formats (it checks `format`, e.g. `byte`), and loads the schemas
// synchronously from the repository's `spec/<revision>/schema.json` (vendored copies of the official files;
// see spec/README.md) instead of the shipped copies.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import {
  type Direction,
  type Engine,
  indexSchema,
  type Kind,
  MODERN,
  type Revision,
  type SchemaName,
  type SchemaSet,
} from '../../src/testing/schema-set.js';
import {
  checkBatch,
  checkMessage,
  type MessageContext,
  resultForRequestType,
  type WireViolation,
} from '../../src/testing/validate.js';
import { repoPath } from './repo.js';

export { isRevision, LAST_LEGACY, MODERN, REVISIONS } from '../../src/testing/schema-set.js';
export { MRTR_METHODS, TASK_METHODS, TASKS_EXTENSION } from '../../src/testing/validate.js';
export type { Direction, MessageContext, Revision, SchemaName };

const require = createRequire(import.meta.url);
type AjvInstance = import('ajv').default;
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;
const Ajv07 = (require('ajv') as { default: AjvClass }).default;
const Ajv2020 = (require('ajv/dist/2020.js') as { default: AjvClass }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvInstance) => unknown }).default;

/** A message that broke the schema (or a spec rule); tsmcp/testing's WireViolation, or the recorder's own. */
export type Violation = Pick<WireViolation, 'direction' | 'method' | 'type' | 'errors' | 'message'> & {
  revision: string;
};

let specDirCache: string | undefined;
/** The repository's `spec/` folder (official schemas vendored from the MCP repositories; see spec/README.md). */
export function specDir(): string {
  if (specDirCache) return specDirCache;
  const dir = repoPath('spec');
  if (!existsSync(join(dir, MODERN, 'schema.json'))) {
    throw new Error(
      `wire-schema: the vendored MCP schemas are missing (looked in ${dir}); see spec/README.md to refresh them`,
    );
  }
  specDirCache = dir;
  return dir;
}

function summarize(errors: ErrorObject[] | null | undefined): string {
  const list = errors ?? [];
  const shown = list.slice(0, 6).map((e) => {
    const params = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${params}`;
  });
  return shown.join('; ') + (list.length > shown.length ? ` (+${list.length - shown.length} more)` : '');
}

/** ajv (draft-07 or 2020-12, as the file declares) with ajv-formats, one compiled validator per type. */
const ajvEngine: Engine = (name, schema) => {
  const modern = '$defs' in schema;
  const ajv = new (modern ? Ajv2020 : Ajv07)({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const key = typeof schema.$id === 'string' ? schema.$id : `mcp-schema-${name}`;
  ajv.addSchema(schema, key);
  const pointer = modern ? '$defs' : 'definitions';
  const cache = new Map<string, ValidateFunction>();
  return (type, value) => {
    let v = cache.get(type);
    if (!v) {
      v = ajv.compile({ $ref: `${key}#/${pointer}/${type}` });
      cache.set(type, v);
    }
    if (v(value)) return undefined;
    return { errors: summarize(v.errors) || 'invalid', schemaPath: v.errors?.[0]?.schemaPath ?? '#' };
  };
};

const sets = new Map<SchemaName, SchemaSet>();
function load(name: SchemaName): SchemaSet {
  const known = sets.get(name);
  if (known) return known;
  const file = join(specDir(), name, 'schema.json');
  if (!existsSync(file)) throw new Error(`wire-schema: no schema file for ${name} in ${specDir()}`);
  const set = indexSchema(name, JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, ajvEngine);
  sets.set(name, set);
  return set;
}

/** Whether `type` is defined by a schema file. */
export function hasType(schema: SchemaName, type: string): boolean {
  return load(schema).has(type);
}

/** Validate `value` against one named type; returns an error summary, or undefined when valid. */
export function checkType(schema: SchemaName, type: string, value: unknown): string | undefined {
  return load(schema).check(type, value)?.errors;
}

/** The concrete request / notification type for `method` in a schema (whichever side sends it). */
export function typeForMethod(schema: SchemaName, method: string, kind: Kind): string | undefined {
  const set = load(schema);
  return (kind === 'request' ? set.requests : set.notifications).get(method);
}

/** Which directions may send `method` according to the schema's Client/Server unions. */
export function sendersOf(schema: SchemaName, method: string): Direction[] {
  return [...(load(schema).senders.get(method) ?? [])];
}

/** The result type answering `method` in a revision (core schema only). */
export function resultTypeFor(schema: SchemaName, method: string): string | undefined {
  const req = typeForMethod(schema, method, 'request');
  return req ? resultForRequestType(load(schema), req) : undefined;
}

/**
 * Validate one JSON-RPC message sent in `context.direction` while speaking `revision`.
 * Returns the violations found (empty when the message is valid).
 */
export function validateMessage(revision: Revision, message: unknown, context: MessageContext): Violation[] {
  return checkMessage(load, revision, message, context);
}

/**
 * A JSON-RPC batch (array) is only allowed in 2025-03-26. Returns the violations of the batch as a whole
 * (its members are validated one by one by the caller).
 */
export function validateBatch(revision: Revision, batch: unknown[], direction: Direction): Violation[] {
  return checkBatch(load, revision, batch, direction);
}
