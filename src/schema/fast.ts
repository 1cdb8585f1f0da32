// A fast accept check for the common tool schema (an object of typed properties, `required`,
// `additionalProperties`), compiled once: it says "valid" only where @cfworker/json-schema would.
type Check = (value: unknown) => boolean;

/** Keywords that only annotate (the validator ignores them), beside any `x-` extension keyword. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$comment',
]);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

const annotation = (k: string): boolean => ANNOTATIONS.has(k) || k.startsWith('x-');

/** The instance type as the validator names it, or undefined where it would throw (undefined, function…). */
function typeOf(v: unknown): string | undefined {
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'string':
      return typeof v;
    case 'object':
      return v === null ? 'null' : Array.isArray(v) ? 'array' : 'object';
    default:
      return undefined;
  }
}

/** A property schema's check: `true`, or only `type` (one name or a list) and annotations; else undefined. */
function propertyCheck(schema: unknown): Check | undefined {
  if (schema === true) return () => true;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const s = schema as { [k: string]: unknown };
  for (const k of Object.keys(s)) if (k !== 'type' && !annotation(k)) return undefined;
  const t = s.type;
  // No type: anything the validator can type (it throws on undefined, and the full validator must say so).
  if (t === undefined) return (v) => typeOf(v) !== undefined;
  if (typeof t === 'string') {
    if (!TYPES.has(t)) return undefined;
    // The validator's own tests, expression for expression (`integer` alone lets Infinity through, in a list it does not).
    if (t === 'integer') return (v) => typeof v === 'number' && !(v % 1) && !Number.isNaN(v);
    return (v) => typeOf(v) === t;
  }
  if (Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === 'string' && TYPES.has(x))) {
    const types = t as string[];
    return (v) => {
      const it = typeOf(v);
      if (it === undefined) return false;
      for (const x of types)
        if (it === x || (x === 'integer' && it === 'number' && (v as number) % 1 === 0 && !Number.isNaN(v)))
          return true;
      return false;
    };
  }
  return undefined;
}

/**
 * A check that returns true only for values the full validator accepts, for a root
 * `{ type: 'object', properties?, required?, additionalProperties?: boolean }` whose properties are
 * typed as `propertyCheck` allows; undefined for any other schema. False means "ask the full validator"
 * (which gives the errors), so messages and edge cases stay the validator's.
 */
export function compileFastCheck(schema: { readonly [k: string]: unknown }): Check | undefined {
  for (const k of Object.keys(schema))
    if (k !== 'type' && k !== 'properties' && k !== 'required' && k !== 'additionalProperties' && k !== '$schema')
      if (!annotation(k)) return undefined;
  if (schema.type !== 'object') return undefined;
  const { properties = {}, required = [], additionalProperties } = schema;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) return undefined;
  if (additionalProperties !== undefined && typeof additionalProperties !== 'boolean') return undefined;
  // The validator walks Object.entries(properties): own enumerable string keys.
  const keys: string[] = [];
  const checks: Check[] = [];
  for (const [key, sub] of Object.entries(properties)) {
    const check = propertyCheck(sub);
    if (!check) return undefined;
    keys.push(key);
    checks.push(check);
  }
  const known = new Set(keys);
  const req = required as string[];
  const closed = additionalProperties === false;
  const own = (o: object, k: string): boolean => Object.hasOwn(o, k);
  // Plain loops over arrays built once: nothing is allocated per value checked.
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    for (let i = 0; i < req.length; i++) if (!own(value, req[i]!)) return false;
    const o = value as { [k: string]: unknown };
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (own(o, k) && !checks[i]!(o[k])) return false;
    }
    if (closed) for (const k in o) if (!known.has(k) || !own(o, k)) return false;
    return true;
  };
}
