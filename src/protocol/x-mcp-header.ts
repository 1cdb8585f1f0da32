// `x-mcp-header` (SEP-2243): tool arguments a client mirrors into `Mcp-Param-{Name}` HTTP headers.
import { isObject, type JsonObject } from './jsonrpc.js';

/** One argument mirrored into a header (`x-mcp-header` on a root property of a tool's inputSchema). */
export interface HeaderParam {
  header: string;
  property: string;
  type: 'string' | 'integer' | 'boolean';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Keywords whose value maps names to subschemas. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** The `x-mcp-header` parameters of a tool input schema; invalid annotations are left out. */
export function headerParamsOf(inputSchema: JsonObject): HeaderParam[] {
  const props = isObject(inputSchema.properties) ? inputSchema.properties : {};
  const out: HeaderParam[] = [];
  const seen = new Set<string>();
  for (const [property, schema] of Object.entries(props)) {
    if (!isObject(schema) || typeof schema['x-mcp-header'] !== 'string') continue;
    const header = schema['x-mcp-header'];
    const type = schema.type;
    if (!TOKEN.test(header) || seen.has(header.toLowerCase())) continue;
    if (type !== 'string' && type !== 'integer' && type !== 'boolean') continue;
    seen.add(header.toLowerCase());
    out.push({ header, property, type });
  }
  return out;
}

/**
 * Why a tool's `x-mcp-header` annotations are invalid (clients on HTTP must drop such tools), or
 * undefined when they are fine: non-empty tokens, unique ignoring case, only on string, integer or
 * boolean root properties.
 */
export function invalidHeaderAnnotation(inputSchema: JsonObject): string | undefined {
  const props = isObject(inputSchema.properties) ? inputSchema.properties : {};
  const seen = new Set<string>();
  for (const [property, schema] of Object.entries(props)) {
    if (!isObject(schema) || !('x-mcp-header' in schema)) continue;
    const header = schema['x-mcp-header'];
    if (typeof header !== 'string' || !TOKEN.test(header))
      return `x-mcp-header of ${property} is not a valid header name token`;
    if (seen.has(header.toLowerCase())) return `x-mcp-header ${header} is used twice`;
    seen.add(header.toLowerCase());
    if (schema.type !== 'string' && schema.type !== 'integer' && schema.type !== 'boolean')
      return `x-mcp-header on ${property}, whose type is not string, integer or boolean`;
  }
  // Anywhere but a root property (items, composition, conditionals, $defs) the annotation is invalid.
  const nested = (v: unknown, path: string[], names = false): boolean => {
    if (Array.isArray(v)) return v.some((x, i) => nested(x, [...path, String(i)]));
    if (!isObject(v)) return false;
    // In a map of names to schemas, a key is a name (a property may be called `x-mcp-header`), not a keyword.
    if (names) return Object.entries(v).some(([k, x]) => nested(x, [...path, k]));
    if ('x-mcp-header' in v && !(path.length === 2 && path[0] === 'properties')) return true;
    return Object.entries(v).some(([k, x]) => k !== 'x-mcp-header' && nested(x, [...path, k], NAME_MAPS.has(k)));
  };
  if (nested(inputSchema, [])) return 'x-mcp-header on a property that is not a root property';
  return undefined;
}
