// Test helper: validate one wire message against the official JSON Schema of an MCP protocol revision,
// choosing the precise type: the request/notification type of the method (on the sender's side), or the
// result type of the request being answered, or the revision's JSON-RPC error type.
//
// The schemas are read from the repository's `spec/<revision>/schema.json` (vendored copies of the official
// files; see spec/README.md). Nothing here is hard-coded per method except the few result types that do not
// follow the `XRequest` → `XResult` naming (RESULT_EXCEPTIONS) and the sender side of the tasks extension,
// whose schema has no Client/Server unions (TASKS_EXT_SENDERS).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { repoPath } from './repo.js';

const require = createRequire(import.meta.url);
type AjvInstance = import('ajv').default;
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;
const Ajv07 = (require('ajv') as { default: AjvClass }).default;
const Ajv2020 = (require('ajv/dist/2020.js') as { default: AjvClass }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvInstance) => unknown }).default;

export const REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;
export type Revision = (typeof REVISIONS)[number];
/** The only modern (stateless, `resultType`-carrying) revision so far. */
export const MODERN: Revision = '2026-07-28';
/** The last legacy revision: the schema that first allows id-less error responses. */
export const LAST_LEGACY: Revision = '2025-11-25';
export type Direction = 'client->server' | 'server->client';
/** A schema file: one of the revisions, or the tasks extension. */
export type SchemaName = Revision | 'ext-tasks';

export function isRevision(value: unknown): value is Revision {
  return typeof value === 'string' && (REVISIONS as readonly string[]).includes(value);
}

export interface Violation {
  revision: string;
  direction: Direction;
  /** The method of the message, or for responses the method of the request answered (when known). */
  method: string | undefined;
  /** The schema type the message was checked against, or the rule it broke. */
  type: string;
  /** Summary of the ajv errors (or of the rule broken). */
  errors: string;
  /** The message as JSON, truncated. */
  message: string;
}

export interface MessageContext {
  direction: Direction;
  /** For responses: the method of the request being answered. */
  method?: string;
  /**
   * For responses: whether the request answered was a modern multi round-trip capable one, i.e. may be
   * answered with an `InputRequiredResult`. Defaults to: revision 2026-07-28 and method one of
   * tools/call, prompts/get, resources/read.
   */
  mrtr?: boolean;
  /**
   * For responses: whether the request allowed a task to be created. 2025-11-25: the request carried
   * `params.task` (then the answer is a `CreateTaskResult`). 2026-07-28: the client declared the
   * `io.modelcontextprotocol/tasks` extension on that request (then `resultType: "task"` is allowed for
   * tools/call). Undefined means unknown: a 2026 task result is then checked only against its schema.
   */
  tasks?: boolean;
  /** For 2026 responses: the client capabilities declared on the request, to check embedded input requests. */
  clientCapabilities?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------
// Locating and loading the schemas

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

type Def = Record<string, unknown>;
type Kind = 'request' | 'notification';

interface SchemaSet {
  name: SchemaName;
  defs: Record<string, Def>;
  ajv: AjvInstance;
  /** What `$ref` points at: `<key>#/<pointer>/<Type>`. */
  key: string;
  pointer: '$defs' | 'definitions';
  /** method → concrete request / notification type (union names such as ClientNotification excluded). */
  requests: Map<string, string>;
  notifications: Map<string, string>;
  /** method → directions allowed to send it, from the Client/Server unions. */
  senders: Map<string, Set<Direction>>;
  /** error code → specific error type, and whether it describes the whole envelope or the `error` member. */
  errorCodes: Map<number, { type: string; envelope: boolean }>;
  cache: Map<string, ValidateFunction>;
}

const sets = new Map<SchemaName, SchemaSet>();
const UNIONS: Record<string, { kind: Kind; direction: Direction }> = {
  ClientRequest: { kind: 'request', direction: 'client->server' },
  ServerRequest: { kind: 'request', direction: 'server->client' },
  ClientNotification: { kind: 'notification', direction: 'client->server' },
  ServerNotification: { kind: 'notification', direction: 'server->client' },
};
/**
 * The ext-tasks schema has no Client/Server unions; its sender sides, from the extension's prose
 * (CHECKLIST §E1: tasks/get|update|cancel are client→server, notifications/tasks is server→client).
 */
const TASKS_EXT_SENDERS: Record<string, Direction> = {
  'tasks/get': 'client->server',
  'tasks/update': 'client->server',
  'tasks/cancel': 'client->server',
  'notifications/tasks': 'server->client',
};

function propConst(def: unknown, prop: string): unknown {
  if (!def || typeof def !== 'object') return undefined;
  const d = def as Def;
  const direct = (d.properties as Record<string, { const?: unknown }> | undefined)?.[prop]?.const;
  if (direct !== undefined) return direct;
  for (const part of (d.allOf as unknown[] | undefined) ?? []) {
    const c = propConst(part, prop);
    if (c !== undefined) return c;
  }
  return undefined;
}

function methodConst(def: unknown): string | undefined {
  const m = propConst(def, 'method');
  return typeof m === 'string' ? m : undefined;
}

function load(name: SchemaName): SchemaSet {
  const known = sets.get(name);
  if (known) return known;
  const file = join(specDir(), name, 'schema.json');
  if (!existsSync(file)) throw new Error(`wire-schema: no schema file for ${name} in ${specDir()}`);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Def;
  const modern = '$defs' in schema;
  const ajv = new (modern ? Ajv2020 : Ajv07)({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const key = typeof schema.$id === 'string' ? schema.$id : `mcp-schema-${name}`;
  ajv.addSchema(schema, key);
  const defs = (modern ? schema.$defs : schema.definitions) as Record<string, Def>;

  const requests = new Map<string, string>();
  const notifications = new Map<string, string>();
  for (const [type, def] of Object.entries(defs)) {
    if (type in UNIONS) continue;
    const method = methodConst(def);
    if (!method) continue;
    if (type.endsWith('Request')) requests.set(method, type);
    else if (type.endsWith('Notification')) notifications.set(method, type);
  }

  const senders = new Map<string, Set<Direction>>();
  const allow = (method: string, direction: Direction) => {
    const s = senders.get(method) ?? new Set<Direction>();
    s.add(direction);
    senders.set(method, s);
  };
  for (const [union, { direction }] of Object.entries(UNIONS)) {
    const def = defs[union];
    if (!def) continue; // e.g. 2026-07-28 has no ServerRequest: servers send no requests
    const members = (def.anyOf ?? def.oneOf ?? [def]) as Def[];
    for (const member of members) {
      const ref = typeof member.$ref === 'string' ? member.$ref.split('/').pop() : undefined;
      const method = methodConst(ref ? defs[ref] : member); // 2026's ClientNotification is CancelledNotification inlined
      if (method) allow(method, direction);
    }
  }
  if (name === 'ext-tasks')
    for (const [method, direction] of Object.entries(TASKS_EXT_SENDERS)) allow(method, direction);

  const errorCodes = new Map<number, { type: string; envelope: boolean }>();
  for (const [type, def] of Object.entries(defs)) {
    if (!type.endsWith('Error')) continue;
    const inner = propConst(def, 'code');
    if (typeof inner === 'number') errorCodes.set(inner, { type, envelope: false });
    const env = propConst((def.properties as Def | undefined)?.error, 'code');
    if (typeof env === 'number') errorCodes.set(env, { type, envelope: true });
  }

  const set: SchemaSet = {
    name,
    defs,
    ajv,
    key,
    pointer: modern ? '$defs' : 'definitions',
    requests,
    notifications,
    senders,
    errorCodes,
    cache: new Map(),
  };
  sets.set(name, set);
  return set;
}

function validatorFor(set: SchemaSet, type: string): ValidateFunction {
  let v = set.cache.get(type);
  if (!v) {
    v = set.ajv.compile({ $ref: `${set.key}#/${set.pointer}/${type}` });
    set.cache.set(type, v);
  }
  return v;
}

function summarize(errors: ErrorObject[] | null | undefined): string {
  const list = errors ?? [];
  const shown = list.slice(0, 6).map((e) => {
    const params = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${params}`;
  });
  return shown.join('; ') + (list.length > shown.length ? ` (+${list.length - shown.length} more)` : '');
}

/** Whether `type` is defined by a schema file. */
export function hasType(schema: SchemaName, type: string): boolean {
  return type in load(schema).defs;
}

/** Validate `value` against one named type; returns an error summary, or undefined when valid. */
export function checkType(schema: SchemaName, type: string, value: unknown): string | undefined {
  const set = load(schema);
  if (!(type in set.defs)) return `type ${type} is not defined by the ${schema} schema`;
  const v = validatorFor(set, type);
  return v(value) ? undefined : summarize(v.errors) || 'invalid';
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

/**
 * Result types that do not follow `XRequest` → `XResult` (same in 2024-11-05 … 2025-11-25; the 2026-07-28
 * and ext-tasks schemas have no exceptions).
 */
const RESULT_EXCEPTIONS: Record<string, string> = {
  PingRequest: 'EmptyResult',
  SetLevelRequest: 'EmptyResult',
  SubscribeRequest: 'EmptyResult',
  UnsubscribeRequest: 'EmptyResult',
};

/** The result type answering a request type, by name. */
function resultForRequestType(schema: SchemaName, requestType: string): string | undefined {
  const byName = requestType.replace(/Request$/, 'Result');
  if (hasType(schema, byName)) return byName;
  const exception = RESULT_EXCEPTIONS[requestType];
  return exception && hasType(schema, exception) ? exception : undefined;
}

/** The result type answering `method` in a revision (core schema only). */
export function resultTypeFor(schema: SchemaName, method: string): string | undefined {
  const req = typeForMethod(schema, method, 'request');
  return req ? resultForRequestType(schema, req) : undefined;
}

/** Methods whose 2026 results may be an InputRequiredResult (CHECKLIST §A8). */
export const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);
/** Methods whose 2026 results may be a task (`resultType: "task"`, tasks extension; CHECKLIST §E1). */
export const TASK_METHODS: ReadonlySet<string> = new Set(['tools/call']);
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The tasks extension reserves `tasks/` and `notifications/tasks` (CHECKLIST §E1). */
function inTasksNamespace(method: string): boolean {
  return method.startsWith('tasks/') || method === 'notifications/tasks' || method.startsWith('notifications/tasks/');
}

// ---------------------------------------------------------------------------------------------------
// Validating one message

const MAX_SHOWN = 600;

function shorten(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch {
    text = String(message);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Capability needed for each kind of input request embedded in an InputRequiredResult (CHECKLIST §A8). */
function missingCapability(request: unknown, caps: Record<string, unknown>): string | undefined {
  if (!isObject(request)) return undefined;
  const params = isObject(request.params) ? request.params : {};
  switch (request.method) {
    case 'elicitation/create': {
      const e = caps.elicitation;
      if (!isObject(e)) return 'elicitation';
      const mode = params.mode ?? 'form';
      // An empty `elicitation` object declares form mode only (backward compatibility).
      if (mode === 'url' && !('url' in e)) return 'elicitation.url';
      if (mode === 'form' && !('form' in e) && 'url' in e) return 'elicitation.form';
      return undefined;
    }
    case 'sampling/createMessage': {
      const s = caps.sampling;
      if (!isObject(s)) return 'sampling';
      if ((params.tools !== undefined || params.toolChoice !== undefined) && !('tools' in s)) return 'sampling.tools';
      return undefined;
    }
    case 'roots/list':
      return isObject(caps.roots) ? undefined : 'roots';
    default:
      return undefined;
  }
}

/**
 * Validate one JSON-RPC message sent in `context.direction` while speaking `revision`.
 * Returns the violations found (empty when the message is valid).
 */
export function validateMessage(revision: Revision, message: unknown, context: MessageContext): Violation[] {
  const out: Violation[] = [];
  const direction = context.direction;
  const shown = shorten(message);
  const add = (type: string, errors: string, method: string | undefined, rev: string = revision) =>
    out.push({ revision: rev, direction, method, type, errors, message: shown });
  const check = (schema: SchemaName, type: string, value: unknown, method: string | undefined) => {
    const e = checkType(schema, type, value);
    if (e) add(schema === revision ? type : `${schema}:${type}`, e, method);
    return e === undefined;
  };
  const core = load(revision);
  const modern = revision === MODERN;

  if (!isObject(message)) {
    add(
      'JSONRPCMessage',
      Array.isArray(message) ? 'a batch must be split into messages before validation' : 'not a JSON object',
      undefined,
    );
    return out;
  }

  // Requests and notifications.
  if ('method' in message) {
    const kind: Kind = 'id' in message ? 'request' : 'notification';
    const envelope = kind === 'request' ? 'JSONRPCRequest' : 'JSONRPCNotification';
    if (typeof message.method !== 'string') {
      check(revision, envelope, message, undefined);
      return out;
    }
    const method = message.method;
    if ('result' in message || 'error' in message)
      add('JSONRPCMessage', 'a message cannot carry both `method` and `result`/`error`', method);
    let schema: SchemaName = revision;
    let type = typeForMethod(revision, method, kind);
    if (!type && modern && inTasksNamespace(method)) {
      const ext = typeForMethod('ext-tasks', method, kind);
      if (ext) {
        schema = 'ext-tasks';
        type = ext;
      }
    }
    if (!type) {
      const other = typeForMethod(revision, method, kind === 'request' ? 'notification' : 'request');
      const why = other
        ? `${method} is a ${kind === 'request' ? 'notification' : 'request'} in ${revision} (${other}) but was sent as a ${kind}`
        : `method ${method} is not defined as a ${kind} by the ${revision} schema${modern && inTasksNamespace(method) ? ' nor by the tasks extension' : ''}`;
      add(kind === 'request' ? 'unknown request' : 'unknown notification', why, method);
      check(revision, envelope, message, method);
      return out;
    }
    const allowed = load(schema).senders.get(method);
    if (!allowed?.has(direction)) {
      const union = `${direction === 'client->server' ? 'Client' : 'Server'}${kind === 'request' ? 'Request' : 'Notification'}`;
      add(
        union,
        `${type} (${method}) is not something the ${direction === 'client->server' ? 'client' : 'server'} may send in ${schema === revision ? revision : `${revision} + ${schema}`}`,
        method,
      );
    }
    check(revision, envelope, message, method);
    check(schema, type, message, method);
    return out;
  }

  // Error responses.
  if ('error' in message) {
    if ('result' in message) add('JSONRPCMessage', 'a response cannot carry both `result` and `error`', context.method);
    const errorType = hasType(revision, 'JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError';
    if (!('id' in message) && errorType === 'JSONRPCError') {
      // An error without `id` (the answer to a request that could not be read, so its id is unknown) is
      // only expressible from 2025-11-25 on, where JSONRPCErrorResponse makes `id` optional. The older
      // schemas require `id` (JSON-RPC 2.0 would use `id: null`, which no MCP schema allows), so such a
      // message is validated against the 2025-11-25 JSONRPCErrorResponse instead.
      const e = checkType(LAST_LEGACY, 'JSONRPCErrorResponse', message);
      if (e) add(`${LAST_LEGACY}:JSONRPCErrorResponse`, e, context.method, revision);
    } else {
      check(revision, errorType, message, context.method);
    }
    const code = isObject(message.error) ? message.error.code : undefined;
    const specific = typeof code === 'number' ? core.errorCodes.get(code) : undefined;
    if (specific) check(revision, specific.type, specific.envelope ? message : message.error, context.method);
    return out;
  }

  // Result responses.
  if ('result' in message) {
    const method = context.method;
    const resultEnvelope = hasType(revision, 'JSONRPCResultResponse') ? 'JSONRPCResultResponse' : 'JSONRPCResponse';
    const result = message.result;
    if (method === undefined) {
      // Nothing tells which request this answers: hold it to the envelope and the sender's result union.
      check(revision, resultEnvelope, message, undefined);
      const union = direction === 'server->client' ? 'ServerResult' : 'ClientResult';
      if (hasType(revision, union)) check(revision, union, result, undefined);
      return out;
    }

    let schema: SchemaName = revision;
    let requestType = typeForMethod(revision, method, 'request');
    if (!requestType && modern && inTasksNamespace(method) && typeForMethod('ext-tasks', method, 'request')) {
      schema = 'ext-tasks';
      requestType = typeForMethod('ext-tasks', method, 'request');
    }
    if (!requestType) {
      add('result', `cannot tell the result type: ${method} is not a request of ${revision}`, method);
      check(revision, resultEnvelope, message, method);
      return out;
    }
    let resultType = resultForRequestType(schema, requestType);
    // The whole-envelope type, where the schema has one (2026-07-28: `XResultResponse`).
    const responseType =
      resultType && schema === revision && hasType(revision, `${resultType}Response`)
        ? `${resultType}Response`
        : undefined;

    if (modern && isObject(result)) {
      const rt = result.resultType;
      const mrtr = context.mrtr ?? MRTR_METHODS.has(method);
      if (rt === 'input_required') {
        // §A8: only tools/call, prompts/get and resources/read may ask for input.
        if (!mrtr)
          add(
            'InputRequiredResult',
            `an InputRequiredResult may only answer a multi round-trip capable request (tools/call, prompts/get, resources/read), not ${method}`,
            method,
          );
        resultType = 'InputRequiredResult';
        schema = revision;
        // §A8 (not expressible in the schema): at least one of inputRequests / requestState.
        if (!('inputRequests' in result) && !('requestState' in result))
          add(
            'InputRequiredResult',
            'must include at least one of inputRequests / requestState (spec rule, not schema-enforced)',
            method,
          );
        // §A8: no input request the client did not declare the capability for.
        if (context.clientCapabilities && isObject(result.inputRequests)) {
          for (const [key, req] of Object.entries(result.inputRequests)) {
            const missing = missingCapability(req, context.clientCapabilities);
            if (missing)
              add(
                'InputRequiredResult',
                `inputRequests.${key} needs the client capability ${missing}, which the request did not declare (spec rule)`,
                method,
              );
          }
        }
      } else if (rt === 'task') {
        // Tasks extension (§E1): `resultType: "task"` only for tools/call, only if the client declared it.
        if (!TASK_METHODS.has(method))
          add(
            'ext-tasks:CreateTaskResult',
            `a task result may only answer ${[...TASK_METHODS].join(', ')}, not ${method}`,
            method,
          );
        if (context.tasks === false)
          add(
            'ext-tasks:CreateTaskResult',
            `a task result requires the client to declare the ${TASKS_EXTENSION} extension on that request`,
            method,
          );
        schema = 'ext-tasks';
        resultType = 'CreateTaskResult';
      } else if (rt !== undefined && rt !== 'complete') {
        // §A7: resultType is "complete" or "input_required" (extensions may add values, e.g. "task").
        add(
          'Result',
          `unknown resultType ${JSON.stringify(rt)} (expected "complete", "input_required" or an extension's value such as "task")`,
          method,
        );
      }
      // rt undefined: the result type itself requires resultType, so the check below reports it.
    } else if (
      revision === LAST_LEGACY &&
      context.tasks &&
      isObject(result) &&
      'task' in result &&
      hasType(revision, 'CreateTaskResult')
    ) {
      // 2025-11-25 task-augmented request (`params.task`): the answer is a CreateTaskResult {task}, unless
      // the receiver does not support tasks for that request type and answers normally (spec allows it).
      resultType = 'CreateTaskResult';
    }

    if (!resultType) {
      add('result', `no result type found for ${requestType} in ${schema}`, method);
      check(revision, resultEnvelope, message, method);
      return out;
    }
    // The envelope: the specific `XResultResponse` when there is one (in 2026 those accept
    // `InputRequiredResult | XResult` loosely), else the generic result envelope; then the precise result type.
    check(revision, responseType ?? resultEnvelope, message, method);
    check(schema, resultType, result, method);
    return out;
  }

  add(
    'JSONRPCMessage',
    'neither a request, a notification nor a response (no method, result or error)',
    context.method,
  );
  return out;
}

/**
 * A JSON-RPC batch (array) is only allowed in 2025-03-26. Returns the violations of the batch as a whole
 * (its members are validated one by one by the caller).
 */
export function validateBatch(revision: Revision, batch: unknown[], direction: Direction): Violation[] {
  const shown = shorten(batch);
  const add = (type: string, errors: string): Violation => ({
    revision,
    direction,
    method: undefined,
    type,
    errors,
    message: shown,
  });
  if (!hasType(revision, 'JSONRPCBatchRequest'))
    return [add('JSONRPCMessage', `JSON-RPC batches are not allowed in ${revision}`)];
  if (batch.length === 0) return [add('JSONRPCMessage', 'an empty batch is not allowed')];
  const responses = batch.every((m) => isObject(m) && !('method' in m));
  const type = responses ? 'JSONRPCBatchResponse' : 'JSONRPCBatchRequest';
  const e = checkType(revision, type, batch);
  return e ? [add(type, e)] : [];
}
