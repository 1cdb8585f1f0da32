// Types only: what a schema's values look like, so `structuredContent` is typed from a tool's
// `outputSchema`. Standard Schemas carry their type; JSON Schema literals are read by FromJsonSchema.
import type { JsonSchemaObject } from './index.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/**
 * The TypeScript type of a JSON Schema written as a literal (`as const`, or inline in `registerTool`),
 * for the common subset: `type` (string, number, integer, boolean, null, object, array, or a list of
 * them such as `["string", "null"]`), `properties` + `required`, `items`, `enum`, `const`, `anyOf` /
 * `oneOf`. Anything else (or a schema typed only as an object) gives `unknown`, never a wrong type.
 * @example
 * type Weather = FromJsonSchema<{
 *   type: 'object';
 *   properties: { temp: { type: 'number' }; unit: { enum: ['C', 'F'] } };
 *   required: ['temp'];
 * }>; // { temp: number; unit?: 'C' | 'F' }
 */
export type FromJsonSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly anyOf: readonly (infer A)[] }
      ? FromJsonSchema<A>
      : S extends { readonly oneOf: readonly (infer A)[] }
        ? FromJsonSchema<A>
        : S extends { readonly type: infer T }
          ? FromType<T extends readonly (infer U)[] ? U : T, S>
          : unknown;

/**
 * One `type` name → its TypeScript type (`S` is the schema, for `properties` and `items`).
 */
type FromType<T, S> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? FromJsonSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? FromObject<S>
            : unknown;

type FromObject<S> = S extends { readonly properties: infer P }
  ? Flatten<
      { -readonly [K in keyof P as K extends RequiredOf<S> ? K : never]: FromJsonSchema<P[K]> } & {
        -readonly [K in keyof P as K extends RequiredOf<S> ? never : K]?: FromJsonSchema<P[K]>;
      }
    >
  : { [key: string]: unknown };

type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;
/**
 * Shows `{ a: string; b?: number }` in editors instead of an intersection.
 */
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * The type a schema validates to: a Standard Schema's output type (zod, valibot, arktype…), a JSON
 * Schema literal's `FromJsonSchema`, `unknown` for anything else.
 */
export type InferSchema<S> =
  S extends StandardSchemaV1<unknown, infer O> ? O : S extends JsonSchemaObject ? FromJsonSchema<S> : unknown;

/**
 * Keeps a JSON Schema's literal type (as `as const` would), so tools that reuse it get typed output.
 * Returns the schema unchanged.
 * @example
 * const weather = jsonSchema({ type: 'object', properties: { temp: { type: 'number' } }, required: ['temp'] });
 * server.registerTool('weather', { outputSchema: weather }, () => ({ structuredContent: { temp: 21 } }));
 */
export function jsonSchema<const S extends JsonSchemaObject>(schema: S): S {
  return schema;
}
