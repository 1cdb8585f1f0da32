// Precompiled checks of request params, one table per method, so handlers only see well-formed input.
import { invalidParams, type McpError } from './errors.js';
import { isObject, type JsonObject } from './jsonrpc.js';
import { LOGGING_LEVELS } from './types.js';

type Check = (v: unknown) => boolean;
type FieldSpec = { [field: string]: [check: Check, required: boolean, expected: string] };

const str: Check = (v) => typeof v === 'string';
const obj: Check = (v) => isObject(v);
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const strArray: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const strMap: Check = (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const level: Check = (v) => typeof v === 'string' && (LOGGING_LEVELS as readonly string[]).includes(v);
const ref: Check = (v) =>
  isObject(v) &&
  ((v.type === 'ref/prompt' && typeof v.name === 'string') || (v.type === 'ref/resource' && typeof v.uri === 'string'));
const completionArg: Check = (v) => isObject(v) && typeof v.name === 'string' && typeof v.value === 'string';
const completionCtx: Check = (v) => isObject(v) && (v.arguments === undefined || strMap(v.arguments));
const implementation: Check = (v) => isObject(v) && typeof v.name === 'string' && typeof v.version === 'string';
const filter: Check = (v) =>
  isObject(v) &&
  ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'].every((k) => v[k] === undefined || bool(v[k])) &&
  (v.resourceSubscriptions === undefined || strArray(v.resourceSubscriptions)) &&
  (v.taskIds === undefined || strArray(v.taskIds));

const paginated: FieldSpec = { cursor: [str, false, 'a string'] };
const mrtr: FieldSpec = { inputResponses: [obj, false, 'an object'], requestState: [str, false, 'a string'] };

/** Params accepted by each request method a server serves (both eras). */
const REQUEST_PARAMS: { [method: string]: FieldSpec } = {
  'server/discover': {},
  initialize: {
    protocolVersion: [str, true, 'a string'],
    capabilities: [obj, true, 'an object'],
    clientInfo: [implementation, true, 'an Implementation with name and version'],
  },
  ping: {},
  'tools/list': paginated,
  'tools/call': { name: [str, true, 'a string'], arguments: [obj, false, 'an object'], ...mrtr },
  'prompts/list': paginated,
  'prompts/get': { name: [str, true, 'a string'], arguments: [strMap, false, 'an object of strings'], ...mrtr },
  'resources/list': paginated,
  'resources/templates/list': paginated,
  'resources/read': { uri: [str, true, 'a string'], ...mrtr },
  'resources/subscribe': { uri: [str, true, 'a string'] },
  'resources/unsubscribe': { uri: [str, true, 'a string'] },
  'completion/complete': {
    ref: [ref, true, 'a ref/prompt with a name or a ref/resource with a uri'],
    argument: [completionArg, true, 'an object with string name and value'],
    context: [completionCtx, false, 'an object whose arguments are strings'],
  },
  'logging/setLevel': { level: [level, true, `one of ${LOGGING_LEVELS.join(', ')}`] },
  'subscriptions/listen': { notifications: [filter, true, 'a SubscriptionFilter object'] },
  'tasks/get': { taskId: [str, true, 'a string'] },
  'tasks/cancel': { taskId: [str, true, 'a string'] },
  'tasks/update': { taskId: [str, true, 'a string'], inputResponses: [obj, true, 'an object'] },
};

/** Params of requests a legacy server may send to a client. */
const SERVER_REQUEST_PARAMS: { [method: string]: FieldSpec } = {
  ping: {},
  'roots/list': {},
  'sampling/createMessage': { messages: [Array.isArray, true, 'an array'], maxTokens: [num, true, 'a number'] },
  'elicitation/create': { message: [str, true, 'a string'] },
};

function check(spec: FieldSpec, params: JsonObject | undefined, method: string): McpError | undefined {
  const p = params ?? {};
  if (p._meta !== undefined && !isObject(p._meta))
    return invalidParams(`Invalid params for ${method}: "_meta" must be an object`);
  for (const field in spec) {
    const [ok, required, expected] = spec[field]!;
    const v = p[field];
    if (v === undefined) {
      if (required) return invalidParams(`Invalid params for ${method}: "${field}" is required (${expected})`);
      continue;
    }
    if (!ok(v)) return invalidParams(`Invalid params for ${method}: "${field}" must be ${expected}`);
  }
  return undefined;
}

/** Validate the params of an incoming client request; `undefined` means valid or a method without a table. */
export function validateRequestParams(method: string, params: JsonObject | undefined): McpError | undefined {
  const spec = REQUEST_PARAMS[method];
  return spec ? check(spec, params, method) : undefined;
}
export function validateServerRequestParams(method: string, params: JsonObject | undefined): McpError | undefined {
  const spec = SERVER_REQUEST_PARAMS[method];
  return spec ? check(spec, params, method) : undefined;
}

const arrayOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const named =
  (key: string): Check =>
  (v) =>
    isObject(v) && typeof v[key] === 'string';
const tool: Check = (v) => isObject(v) && typeof v.name === 'string' && isObject(v.inputSchema);

/** What a complete result of each method must contain (checked by the client before use). */
const RESULT_FIELDS: { [method: string]: FieldSpec } = {
  'server/discover': {
    supportedVersions: [strArray, true, 'an array of strings'],
    capabilities: [obj, true, 'an object'],
  },
  initialize: {
    protocolVersion: [str, true, 'a string'],
    capabilities: [obj, true, 'an object'],
    serverInfo: [implementation, true, 'an Implementation'],
  },
  'tools/list': {
    tools: [arrayOf(tool), true, 'an array of tools with name and inputSchema'],
    nextCursor: [str, false, 'a string'],
  },
  'tools/call': { content: [arrayOf(obj), true, 'an array of content blocks'], isError: [bool, false, 'a boolean'] },
  'prompts/list': {
    prompts: [arrayOf(named('name')), true, 'an array of prompts with names'],
    nextCursor: [str, false, 'a string'],
  },
  'prompts/get': { messages: [arrayOf(obj), true, 'an array of messages'] },
  'resources/list': {
    resources: [arrayOf(named('uri')), true, 'an array of resources with uris'],
    nextCursor: [str, false, 'a string'],
  },
  'resources/templates/list': {
    resourceTemplates: [arrayOf(named('uriTemplate')), true, 'an array of templates'],
    nextCursor: [str, false, 'a string'],
  },
  'resources/read': { contents: [arrayOf(named('uri')), true, 'an array of contents with uris'] },
  'completion/complete': {
    completion: [(v) => isObject(v) && strArray(v.values), true, 'an object with string values'],
  },
};

/** Validate a complete result the client received; the message names the field that is wrong. */
export function validateResult(method: string, result: JsonObject): string | undefined {
  const spec = RESULT_FIELDS[method];
  if (!spec) return undefined;
  for (const field in spec) {
    const [ok, required, expected] = spec[field]!;
    const v = result[field];
    if (v === undefined ? required : !ok(v)) return `Invalid ${method} result: "${field}" must be ${expected}`;
  }
  return undefined;
}
