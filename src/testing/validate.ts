// Validate one wire message against the official schema of a revision, choosing the precise type: the
// request/notification type of its method (on the sender's side), the result type of the request it
// answers, or the revision's JSON-RPC error type; plus the few spec rules the schemas cannot express.
// checkMessage/checkBatch are synchronous over a resolver of schema sets (the test suite resolves ajv sets
// read from spec/); validateMessage/validateBatch load the shipped schemas on demand and run them.
import {
  type Direction,
  type Kind,
  LAST_LEGACY,
  loadedSchema,
  loadSchema,
  MODERN,
  type Revision,
  type SchemaName,
  type SchemaSet,
} from './schema-set.js';

/** A message that broke the schema (or a spec rule) of the revision in use. */
export interface WireViolation {
  revision: Revision;
  direction: Direction;
  /** The method of the message, or for a response the method of the request it answers (when known). */
  method: string | undefined;
  /** The JSON-RPC id of the message (or of the request a response answers), when it has one. */
  id: string | number | undefined;
  /** The schema type checked (`ListToolsResult`, `ext-tasks:CreateTaskResult`), or the rule broken. */
  type: string;
  /** Where in the schema file the first failure is (`#/$defs/Tool/required`), or `(spec rule)`. */
  schemaPath: string;
  /** What failed: instance path, message and schema path of each failure (the first few). */
  errors: string;
  /** The message as JSON, cut at 600 characters. */
  message: string;
}

export interface MessageContext {
  direction: Direction;
  /** For responses: the method of the request answered. */
  method?: string;
  /** For responses: whether the request may be answered with an InputRequiredResult (2026-07-28). */
  mrtr?: boolean;
  /** For responses: whether the request allowed a task result (2025-11-25 `params.task`, 2026 extension). */
  tasks?: boolean;
  /** For 2026 responses: the client capabilities the request declared (checks embedded input requests). */
  clientCapabilities?: Record<string, unknown>;
}

/** Methods whose 2026 results may be an InputRequiredResult. */
export const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);
/** Methods whose 2026 results may be a task (`resultType: "task"`, tasks extension). */
export const TASK_METHODS: ReadonlySet<string> = new Set(['tools/call']);
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
/** Result types that do not follow `XRequest` → `XResult` (2024-11-05 … 2025-11-25). */
const RESULT_EXCEPTIONS: Record<string, string> = {
  PingRequest: 'EmptyResult',
  SetLevelRequest: 'EmptyResult',
  SubscribeRequest: 'EmptyResult',
  UnsubscribeRequest: 'EmptyResult',
};
const SPEC_RULE = '(spec rule)';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function shorten(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch {
    text = String(message);
  }
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

const inTasksNamespace = (method: string): boolean =>
  method.startsWith('tasks/') || method === 'notifications/tasks' || method.startsWith('notifications/tasks/');

/** The result type answering a request type of `set`, by name (or by RESULT_EXCEPTIONS). */
export function resultForRequestType(set: SchemaSet, requestType: string): string | undefined {
  const byName = requestType.replace(/Request$/, 'Result');
  if (set.has(byName)) return byName;
  const exception = RESULT_EXCEPTIONS[requestType];
  return exception && set.has(exception) ? exception : undefined;
}

/** The capability an input request embedded in an InputRequiredResult needs, when the client lacks it. */
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

/** The schema set of a schema file, synchronously (the core revision, ext-tasks, 2025-11-25). */
export type Resolve = (name: SchemaName) => SchemaSet;

class NotLoaded {
  constructor(readonly name: SchemaName) {}
}
const resolveLoaded: Resolve = (name) => {
  const set = loadedSchema(name);
  if (!set) throw new NotLoaded(name);
  return set;
};
/** Run a check over the shipped schemas, loading each one it asks for (at most three) on first use. */
async function withSchemas<T>(run: () => T): Promise<T> {
  for (;;) {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof NotLoaded)) throw e;
      await loadSchema(e.name);
    }
  }
}

/** Validate one JSON-RPC message sent in `context.direction` while speaking `revision`. */
export function validateMessage(
  revision: Revision,
  message: unknown,
  context: MessageContext,
): Promise<WireViolation[]> {
  return withSchemas(() => checkMessage(resolveLoaded, revision, message, context));
}

/** A JSON-RPC batch is only allowed in 2025-03-26: the violations of the batch as a whole. */
export function validateBatch(revision: Revision, batch: unknown[], direction: Direction): Promise<WireViolation[]> {
  return withSchemas(() => checkBatch(resolveLoaded, revision, batch, direction));
}

/** validateMessage over the schema sets `resolve` gives. */
export function checkMessage(
  resolve: Resolve,
  revision: Revision,
  message: unknown,
  context: MessageContext,
): WireViolation[] {
  const out: WireViolation[] = [];
  const direction = context.direction;
  const shown = shorten(message);
  const id =
    isObject(message) && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : undefined;
  const add = (type: string, errors: string, method: string | undefined, schemaPath = SPEC_RULE) =>
    out.push({ revision, direction, method, id, type, schemaPath, errors, message: shown });
  const core = resolve(revision);
  const check = (set: SchemaSet, type: string, value: unknown, method: string | undefined) => {
    const f = set.check(type, value);
    if (f) add(set.name === revision ? type : `${set.name}:${type}`, f.errors, method, f.schemaPath);
    return f === undefined;
  };
  const modern = revision === MODERN;
  /** The set defining `method` as `kind`: the core schema, or on 2026 the tasks extension for its namespace. */
  const definer = (method: string, kind: Kind): [SchemaSet, string] | undefined => {
    const own = (kind === 'request' ? core.requests : core.notifications).get(method);
    if (own) return [core, own];
    if (!modern || !inTasksNamespace(method)) return undefined;
    const ext = resolve('ext-tasks');
    const type = (kind === 'request' ? ext.requests : ext.notifications).get(method);
    return type ? [ext, type] : undefined;
  };

  if (!isObject(message)) {
    add('JSONRPCMessage', Array.isArray(message) ? 'a batch inside a batch' : 'not a JSON object', undefined);
    return out;
  }

  // Requests and notifications.
  if ('method' in message) {
    const kind: Kind = 'id' in message ? 'request' : 'notification';
    const envelope = kind === 'request' ? 'JSONRPCRequest' : 'JSONRPCNotification';
    if (typeof message.method !== 'string') {
      check(core, envelope, message, undefined);
      return out;
    }
    const method = message.method;
    if ('result' in message || 'error' in message)
      add('JSONRPCMessage', 'a message cannot carry both `method` and `result`/`error`', method);
    const found = definer(method, kind);
    if (!found) {
      const other = (kind === 'request' ? core.notifications : core.requests).get(method);
      const why = other
        ? `${method} is a ${kind === 'request' ? 'notification' : 'request'} in ${revision} (${other}) but was sent as a ${kind}`
        : `method ${method} is not defined as a ${kind} by the ${revision} schema${modern && inTasksNamespace(method) ? ' nor by the tasks extension' : ''}`;
      add(kind === 'request' ? 'unknown request' : 'unknown notification', why, method);
      check(core, envelope, message, method);
      return out;
    }
    const [set, type] = found;
    if (!set.senders.get(method)?.has(direction)) {
      const side = direction === 'client->server' ? 'client' : 'server';
      add(
        `${side === 'client' ? 'Client' : 'Server'}${kind === 'request' ? 'Request' : 'Notification'}`,
        `${type} (${method}) is not something the ${side} may send in ${set === core ? revision : `${revision} + ${set.name}`}`,
        method,
      );
    }
    check(core, envelope, message, method);
    check(set, type, message, method);
    return out;
  }

  // Error responses.
  if ('error' in message) {
    if ('result' in message) add('JSONRPCMessage', 'a response cannot carry both `result` and `error`', context.method);
    const errorType = core.has('JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError';
    if (!('id' in message) && errorType === 'JSONRPCError') {
      // An id-less error (answering an unreadable request) is only expressible from 2025-11-25 on; older
      // schemas require `id`, so such a message is held to the 2025-11-25 JSONRPCErrorResponse.
      check(resolve(LAST_LEGACY), 'JSONRPCErrorResponse', message, context.method);
    } else {
      check(core, errorType, message, context.method);
    }
    const code = isObject(message.error) ? message.error.code : undefined;
    const specific = typeof code === 'number' ? core.errorCodes.get(code) : undefined;
    if (specific) check(core, specific.type, specific.envelope ? message : message.error, context.method);
    return out;
  }

  // Result responses.
  if ('result' in message) {
    const method = context.method;
    const resultEnvelope = core.has('JSONRPCResultResponse') ? 'JSONRPCResultResponse' : 'JSONRPCResponse';
    const result = message.result;
    if (method === undefined) {
      // Nothing tells which request this answers: the envelope and the sender's result union.
      check(core, resultEnvelope, message, undefined);
      const union = direction === 'server->client' ? 'ServerResult' : 'ClientResult';
      if (core.has(union)) check(core, union, result, undefined);
      return out;
    }
    const found = definer(method, 'request');
    if (!found) {
      add('result', `cannot tell the result type: ${method} is not a request of ${revision}`, method);
      check(core, resultEnvelope, message, method);
      return out;
    }
    let [set, requestType] = found;
    let resultType = resultForRequestType(set, requestType);
    // The whole-envelope type, where the schema has one (2026-07-28: `XResultResponse`).
    const responseType =
      resultType && set === core && core.has(`${resultType}Response`) ? `${resultType}Response` : undefined;

    if (modern && isObject(result)) {
      const rt = result.resultType;
      if (rt === 'input_required') {
        if (!(context.mrtr ?? MRTR_METHODS.has(method)))
          add(
            'InputRequiredResult',
            `an InputRequiredResult may only answer a multi round-trip capable request (tools/call, prompts/get, resources/read), not ${method}`,
            method,
          );
        [set, resultType] = [core, 'InputRequiredResult'];
        if (!('inputRequests' in result) && !('requestState' in result))
          add('InputRequiredResult', 'must include at least one of inputRequests / requestState', method);
        if (context.clientCapabilities && isObject(result.inputRequests)) {
          for (const [key, req] of Object.entries(result.inputRequests)) {
            const missing = missingCapability(req, context.clientCapabilities);
            if (missing)
              add(
                'InputRequiredResult',
                `inputRequests.${key} needs the client capability ${missing}, which the request did not declare`,
                method,
              );
          }
        }
      } else if (rt === 'task') {
        if (!TASK_METHODS.has(method))
          add('ext-tasks:CreateTaskResult', `a task result may only answer tools/call, not ${method}`, method);
        if (context.tasks === false)
          add(
            'ext-tasks:CreateTaskResult',
            `a task result requires the client to declare the ${TASKS_EXTENSION} extension on that request`,
            method,
          );
        [set, resultType] = [resolve('ext-tasks'), 'CreateTaskResult'];
      } else if (rt !== undefined && rt !== 'complete') {
        add(
          'Result',
          `unknown resultType ${JSON.stringify(rt)} (expected "complete", "input_required" or "task")`,
          method,
        );
      }
    } else if (revision === LAST_LEGACY && context.tasks && isObject(result) && 'task' in result) {
      // A 2025-11-25 task-augmented request may be answered with a CreateTaskResult.
      resultType = 'CreateTaskResult';
    }
    if (!resultType) {
      add('result', `no result type found for ${requestType} in ${set.name}`, method);
      check(core, resultEnvelope, message, method);
      return out;
    }
    // The precise result type first; then the specific envelope (`XResultResponse`) when it passed, else the
    // generic one, so a bad envelope is still reported without reporting the result's failure twice.
    const valid = check(set, resultType, result, method);
    check(core, valid ? (responseType ?? resultEnvelope) : resultEnvelope, message, method);
    return out;
  }

  add(
    'JSONRPCMessage',
    'neither a request, a notification nor a response (no method, result or error)',
    context.method,
  );
  return out;
}

/** validateBatch over the schema sets `resolve` gives. */
export function checkBatch(
  resolve: Resolve,
  revision: Revision,
  batch: unknown[],
  direction: Direction,
): WireViolation[] {
  const core = resolve(revision);
  const add = (type: string, errors: string, schemaPath = SPEC_RULE): WireViolation[] => [
    { revision, direction, method: undefined, id: undefined, type, schemaPath, errors, message: shorten(batch) },
  ];
  if (!core.has('JSONRPCBatchRequest')) return add('JSONRPCMessage', `JSON-RPC batches are not allowed in ${revision}`);
  if (batch.length === 0) return add('JSONRPCMessage', 'an empty batch is not allowed');
  const type = batch.every((m) => isObject(m) && !('method' in m)) ? 'JSONRPCBatchResponse' : 'JSONRPCBatchRequest';
  const f = core.check(type, batch);
  return f ? add(type, f.errors, f.schemaPath) : [];
}

export type { Direction, Revision, SchemaName };
