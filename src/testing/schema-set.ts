// One official MCP schema, loaded on first use (only the revisions a connection speaks are imported) and
// indexed: method → request/notification type, who may send it, error code → error type. The validation
// engine is pluggable (indexSchema): tsmcp/testing runs @cfworker/json-schema (runtime-neutral), the test
// suite plugs in ajv + ajv-formats; a failure is summarized with the schema path that failed.
import { dereference, type OutputUnit, type Schema, type SchemaDraft, validate } from '@cfworker/json-schema';
import {
  LATEST_LEGACY_VERSION,
  LATEST_PROTOCOL_VERSION,
  type ProtocolVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '../protocol/versions.js';

/** The revisions whose schemas tsmcp/testing ships: every revision tsmcp speaks, newest first. */
export const REVISIONS = SUPPORTED_PROTOCOL_VERSIONS;
export type Revision = ProtocolVersion;
/** A schema file: one of the revisions, or the tasks extension. */
export type SchemaName = Revision | 'ext-tasks';
export type Direction = 'client->server' | 'server->client';
export type Kind = 'request' | 'notification';

/** The only modern (stateless, `resultType`-carrying) revision so far. */
export const MODERN: Revision = LATEST_PROTOCOL_VERSION;
/** The last legacy revision: the schema that first allows id-less error responses. */
export const LAST_LEGACY: Revision = LATEST_LEGACY_VERSION;

export function isRevision(value: unknown): value is Revision {
  return typeof value === 'string' && (REVISIONS as readonly string[]).includes(value);
}

// Literal specifiers, so that bundlers see each schema as its own lazily loaded chunk.
const IMPORTS: Record<SchemaName, () => Promise<{ default: unknown }>> = {
  '2024-11-05': () => import('./schemas/2024-11-05.js'),
  '2025-03-26': () => import('./schemas/2025-03-26.js'),
  '2025-06-18': () => import('./schemas/2025-06-18.js'),
  '2025-11-25': () => import('./schemas/2025-11-25.js'),
  '2026-07-28': () => import('./schemas/2026-07-28.js'),
  'ext-tasks': () => import('./schemas/ext-tasks.js'),
};

type Def = Record<string, unknown>;
type Lookup = Record<string, Schema | boolean>;

/** A failed check: a summary, and the schema path (`#/$defs/Tool/required`) of the first failure. */
export interface Failure {
  errors: string;
  schemaPath: string;
}

export interface SchemaSet {
  name: SchemaName;
  defs: Record<string, Def>;
  /** method → concrete request / notification type (union names such as ClientNotification excluded). */
  requests: Map<string, string>;
  notifications: Map<string, string>;
  /** method → directions allowed to send it, from the Client/Server unions. */
  senders: Map<string, Set<Direction>>;
  /** error code → specific error type, and whether it describes the whole envelope or the `error` member. */
  errorCodes: Map<number, { type: string; envelope: boolean }>;
  has(type: string): boolean;
  /** Validate `value` against one named type: undefined when valid. */
  check(type: string, value: unknown): Failure | undefined;
}

const UNIONS: Record<string, Direction> = {
  ClientRequest: 'client->server',
  ServerRequest: 'server->client',
  ClientNotification: 'client->server',
  ServerNotification: 'server->client',
};
/** The ext-tasks schema has no Client/Server unions; its sender sides come from the extension's prose. */
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

const methodConst = (def: unknown): string | undefined => {
  const m = propConst(def, 'method');
  return typeof m === 'string' ? m : undefined;
};

/** A validation engine: compiles one schema file into a checker of its named types. */
export type Engine = (
  name: SchemaName,
  schema: Record<string, unknown>,
) => (type: string, value: unknown) => Failure | undefined;

const loading = new Map<SchemaName, Promise<SchemaSet>>();
const loaded = new Map<SchemaName, SchemaSet>();

/** The schema set of `name`, imported once per process. */
export function loadSchema(name: SchemaName): Promise<SchemaSet> {
  let set = loading.get(name);
  if (!set) {
    set = IMPORTS[name]().then((m) => {
      const s = indexSchema(name, m.default as Def, cfworker);
      loaded.set(name, s);
      return s;
    });
    loading.set(name, set);
  }
  return set;
}

/** The schema set of `name` if loadSchema already finished loading it. */
export const loadedSchema = (name: SchemaName): SchemaSet | undefined => loaded.get(name);

/** The @cfworker/json-schema engine (runtime-neutral); failures summarized with the schema path that failed. */
const cfworker: Engine = (_name, schema) => {
  const modern = '$defs' in schema;
  const draft: SchemaDraft = modern ? '2020-12' : '7';
  const pointer = modern ? '$defs' : 'definitions';
  const lookup = dereference(schema as Schema);
  const base = (schema as Schema).__absolute_uri__ as string;
  return (type, value) => {
    const root = lookup[`${base}#/${pointer}/${type}`] as Schema;
    const result = validate(value, root, draft, lookup, false);
    return result.valid ? undefined : summarize(result.errors, root, lookup);
  };
};

/** Index one schema file (methods, senders, error codes) and check its types with `engine`. */
export function indexSchema(name: SchemaName, schema: Def, engine: Engine): SchemaSet {
  const defs = ('$defs' in schema ? schema.$defs : schema.definitions) as Record<string, Def>;
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
  for (const [union, direction] of Object.entries(UNIONS)) {
    const def = defs[union];
    if (!def) continue; // 2026-07-28 has no ServerRequest: servers send no requests
    for (const member of (def.anyOf ?? def.oneOf ?? [def]) as Def[]) {
      const ref = typeof member.$ref === 'string' ? member.$ref.split('/').pop() : undefined;
      const method = methodConst(ref ? defs[ref] : member); // 2026's ClientNotification is inlined
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

  const check = engine(name, schema);
  return {
    name,
    defs,
    requests,
    notifications,
    senders,
    errorCodes,
    has: (type) => type in defs,
    check: (type, value) =>
      type in defs
        ? check(type, value)
        : { errors: `type ${type} is not defined by the ${name} schema`, schemaPath: '#' },
  };
}

// ---- summarizing a failure ----

/** Keywords that only report that something below them failed. */
const WRAPPERS = new Set(['$ref', 'properties', 'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'additionalItems']);

/** `#/properties/tools/items/$ref/required` → `#/$defs/Tool/required`: the path inside the schema file. */
function schemaPath(keywordLocation: string, root: Schema, lookup: Lookup): string {
  const fragment = (s: Schema) => {
    const uri = String(s.__absolute_uri__ ?? '');
    return uri.includes('#') ? uri.slice(uri.indexOf('#')) : '#';
  };
  let node: unknown = root;
  let path = fragment(root);
  for (const raw of keywordLocation.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const schema = node as Schema | undefined;
    const target = seg === '$ref' && schema?.__absolute_ref__ ? lookup[schema.__absolute_ref__] : undefined;
    if (typeof target === 'object') {
      node = target;
      path = fragment(node as Schema);
      continue;
    }
    node = schema && typeof schema === 'object' ? (schema as Record<string, unknown>)[seg] : undefined;
    path += `/${raw}`;
  }
  return path;
}

/**
 * The failures worth reading. A union (anyOf/oneOf) reports every branch; keep the one branch whose
 * discriminating `const` matched, or else say which consts were expected, instead of every branch's errors.
 */
function summarize(units: OutputUnit[], root: Schema, lookup: Lookup): Failure {
  let leaves = units.filter((u) => !WRAPPERS.has(u.keyword));
  const unions = units
    .filter((u) => u.keyword === 'anyOf' || u.keyword === 'oneOf')
    .sort((a, b) => b.keywordLocation.length - a.keywordLocation.length);
  for (const union of unions) {
    const prefix = `${union.keywordLocation}/`;
    const inside = leaves.filter((u) => u.keywordLocation.startsWith(prefix));
    if (inside.length === 0) continue;
    const branches = new Map<string, OutputUnit[]>();
    for (const u of inside) {
      const branch = u.keywordLocation.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), u]);
    }
    const matched = [...branches.values()].filter((b) => !b.some((u) => u.keyword === 'const'));
    const outside = leaves.filter((u) => !u.keywordLocation.startsWith(prefix));
    if (matched.length === 1) {
      leaves = [...outside, ...matched[0]!];
    } else {
      const consts = inside
        .filter((u) => u.keyword === 'const')
        .map((u) => /"(.*)"/.exec(u.error)?.[1])
        .filter((c): c is string => c !== undefined);
      const expected = consts.length ? ` (expected one of: ${[...new Set(consts)].join(', ')})` : '';
      leaves = [...outside, { ...union, error: `${union.error.replace(/\.$/, '')}${expected}.` }];
    }
  }
  if (leaves.length === 0) leaves = units.slice(-1);
  const shown = leaves
    .slice(0, 5)
    .map(
      (u) =>
        `${u.instanceLocation.replace(/^#/, '') || '/'}: ${u.error} [${schemaPath(u.keywordLocation, root, lookup)}]`,
    );
  const more = leaves.length > shown.length ? ` (+${leaves.length - shown.length} more)` : '';
  return { errors: shown.join('; ') + more, schemaPath: schemaPath(leaves[0]!.keywordLocation, root, lookup) };
}
