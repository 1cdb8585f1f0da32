// `x-mcp-header` (SEP-2243): tool arguments a client mirrors into `Mcp-Param-{Name}` HTTP headers.
import { isObject, type JsonObject } from './jsonrpc.js';

/** One argument mirrored into a header (`x-mcp-header` on a root property of a tool's inputSchema). */
export interface HeaderParam {
  header: string;
  property: string;
  type: 'string' | 'integer' | 'boolean';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

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

