// Test helper: validate one wire message against the official JSON schema of a protocol revision,
// choosing the precise type (request, notification or result of the method answered).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default as typeof import('ajv').default;
const Ajv2020 = require('ajv/dist/2020.js').default as typeof import('ajv').default;
const addFormats = require('ajv-formats').default as (ajv: unknown) => void;

export type Revision = '2024-11-05' | '2025-03-26' | '2025-06-18' | '2025-11-25' | '2026-07-28';
export type Direction = 'client->server' | 'server->client';

export interface Violation {
  revision: string;
  direction: Direction;
  method: string | undefined;
  type: string;
  errors: string;
  message: string;
}

/** The repo root: the nearest folder above this file whose package.json is tsmcp's. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).name === 'tsmcp') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('wire-schema: cannot find the tsmcp repository root');
    dir = up;
  }
}

export function specDir(): string {
  const d = join(repoRoot(), '..', 'shared', 'spec');
  if (!existsSync(d)) throw new Error('wire-schema: the shared/spec folder beside the repository is missing');
  return d;
}

interface Compiled {
  defs: Record<string, Record<string, unknown>>;
  ajv: InstanceType<typeof Ajv>;
  key: string;
  pointer: string;
  byMethod: Map<string, string[]>;
  cache: Map<string, ValidateFunction>;
}
const compiled = new Map<string, Compiled>();

function load(revision: string): Compiled {
  let c = compiled.get(revision);
  if (c) return c;
  const schema = JSON.parse(readFileSync(join(specDir(), revision, 'schema.json'), 'utf8')) as Record<string, unknown>;
  const modern = '$defs' in schema;
  const ajv = modern ? new Ajv2020({ strict: false, allErrors: true, logger: false }) : new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const key = `mcp-${revision}`;
  const { $id: _id, ...rest } = schema;
  ajv.addSchema(rest, key);
  const defs = (modern ? schema.$defs : schema.definitions) as Record<string, Record<string, unknown>>;
  const byMethod = new Map<string, string[]>();
  for (const [name, def] of Object.entries(defs)) {
    const m = (def.properties as Record<string, { const?: string }> | undefined)?.method?.const;
    if (typeof m === 'string') byMethod.set(m, [...(byMethod.get(m) ?? []), name]);
  }
  c = { defs, ajv, key, pointer: modern ? '$defs' : 'definitions', byMethod, cache: new Map() };
  compiled.set(revision, c);
  return c;
}

function validator(c: Compiled, type: string): ValidateFunction {
  let v = c.cache.get(type);
  if (!v) {
    v = c.ajv.compile({ $ref: `${c.key}#/${c.pointer}/${type}` });
    c.cache.set(type, v);
  }
  return v;
}

export function hasType(revision: string, type: string): boolean {
  return type in load(revision).defs;
}

/** The schema type sent for `method` as a request or notification. */
export function typeForMethod(revision: string, method: string, kind: 'request' | 'notification'): string | undefined {
  const names = load(revision).byMethod.get(method) ?? [];
  const suffix = kind === 'request' ? 'Request' : 'Notification';
  return names.find((n) => n.endsWith(suffix)) ?? names[0];
}

/** The result type answering `method`. */
export function resultTypeFor(revision: string, method: string): string | undefined {
  const req = typeForMethod(revision, method, 'request');
  if (!req) return undefined;
  const direct = req.replace(/Request$/, 'Result');
  return hasType(revision, direct) ? direct : hasType(revision, 'EmptyResult') ? 'EmptyResult' : 'Result';
}

function check(revision: string, type: string, value: unknown): string | undefined {
  const c = load(revision);
  if (!(type in c.defs)) return `type ${type} does not exist in ${revision}`;
  const v = validator(c, type);
  if (v(value)) return undefined;
  return (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
}

export interface MessageContext {
  direction: Direction;
  /** For responses: the method of the request being answered. */
  answering?: string;
}

/** Validate one message; returns the violations (empty when valid). */
export function validateMessage(revision: Revision, message: Record<string, unknown>, ctx: MessageContext): Violation[] {
  const out: Violation[] = [];
  const text = JSON.stringify(message);
  const add = (type: string, errors: string, method?: string) =>
    out.push({ revision, direction: ctx.direction, method, type, errors, message: text.length > 600 ? `${text.slice(0, 600)}…` : text });

  if ('method' in message) {
    const method = String(message.method);
    const kind = 'id' in message ? 'request' : 'notification';
    const type = typeForMethod(revision, method, kind);
    if (!type) {
      add(kind, `method ${method} does not exist in ${revision}`, method);
      return out;
    }
    const envelope = kind === 'request' ? 'JSONRPCRequest' : 'JSONRPCNotification';
    const e1 = check(revision, envelope, message);
    if (e1) add(envelope, e1, method);
    const e2 = check(revision, type, message);
    if (e2) add(type, e2, method);
    return out;
  }
  if ('error' in message) {
    const errorType = hasType(revision, 'JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError';
    // An id-less error (answer to an unreadable request) is only expressible from 2025-11-25 on.
    const rev: Revision = !('id' in message) && errorType === 'JSONRPCError' ? '2025-11-25' : revision;
    const e = check(rev, rev === revision ? errorType : 'JSONRPCErrorResponse', message);
    if (e) add(errorType, e, ctx.answering);
    return out;
  }
  if ('result' in message) {
    const envelope = hasType(revision, 'JSONRPCResultResponse') ? 'JSONRPCResultResponse' : 'JSONRPCResponse';
    const e1 = check(revision, envelope, message);
    if (e1) add(envelope, e1, ctx.answering);
    const result = message.result as Record<string, unknown>;
    let type = ctx.answering ? resultTypeFor(revision, ctx.answering) : undefined;
    if (revision === '2026-07-28' && result && result.resultType === 'input_required') type = 'InputRequiredResult';
    if (!type) {
      add('result', `cannot tell which request this answers (${ctx.answering ?? 'unknown id'})`, ctx.answering);
      return out;
    }
    const e2 = check(revision, type, result);
    if (e2) add(type, e2, ctx.answering);
    return out;
  }
  add('JSONRPCMessage', 'not a request, notification or response');
  return out;
}
