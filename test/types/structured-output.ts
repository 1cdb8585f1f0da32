// Type-level tests (compiled by `tsc`, never run): a tool's `structuredContent` is typed from its
// `outputSchema`. Each `@ts-expect-error` line must stay an error: if it ever compiles, the build fails.
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import { type FromJsonSchema, McpServer, ToolError, jsonSchema } from 'tsmcp/server';

const server = new McpServer({ name: 'types', version: '1.0.0' });
const text = (t: string) => [{ type: 'text' as const, text: t }];

// zod: the schema's output type. A literal returned inline for an enum or const field needs `as const`
// (TypeScript widens literals while it still infers the schema's type).
server.registerTool('zod', { outputSchema: z.object({ temp: z.number(), unit: z.enum(['C', 'F']) }) }, () => ({
  structuredContent: { temp: 21, unit: 'C' as const },
}));
server.registerTool('zod-bad', { outputSchema: z.object({ temp: z.number() }) }, () => ({
  // @ts-expect-error -- temp must be a number
  structuredContent: { temp: '21' },
}));
server.registerTool('zod-missing', { outputSchema: z.object({ temp: z.number() }) }, () => ({
  // @ts-expect-error -- temp is required
  structuredContent: {},
}));
// @ts-expect-error -- an outputSchema requires structuredContent on a successful result
server.registerTool('zod-none', { outputSchema: z.object({ temp: z.number() }) }, () => ({ content: text('21') }));

// Arguments and output together, async handler, and an error result that needs no structuredContent.
server.registerTool(
  'both',
  { inputSchema: z.object({ city: z.string() }), outputSchema: z.object({ city: z.string(), temp: z.number() }) },
  async ({ city }) => {
    if (city === '') return { content: text('no city'), isError: true };
    return { structuredContent: { city, temp: 21 }, content: text(`21 in ${city}`) };
  },
);
server.registerTool('throws', { outputSchema: z.object({ temp: z.number() }) }, () => {
  throw new ToolError('no sensor');
});

// valibot (through @valibot/to-json-schema's Standard JSON Schema) and arktype.
server.registerTool('valibot', { outputSchema: toStandardJsonSchema(v.object({ n: v.number() })) }, () => ({
  structuredContent: { n: 1 },
}));
server.registerTool('valibot-bad', { outputSchema: toStandardJsonSchema(v.object({ n: v.number() })) }, () => ({
  // @ts-expect-error -- n must be a number
  structuredContent: { n: 'one' },
}));
server.registerTool('arktype', { outputSchema: type({ tags: 'string[]' }) }, () => ({
  structuredContent: { tags: ['a'] },
}));
server.registerTool('arktype-bad', { outputSchema: type({ tags: 'string[]' }) }, () => ({
  // @ts-expect-error -- tags must be an array of strings
  structuredContent: { tags: [1] },
}));

// A JSON Schema literal written inline is read as written (no `as const` needed).
server.registerTool(
  'json',
  {
    outputSchema: {
      type: 'object',
      properties: {
        temp: { type: 'number' },
        unit: { enum: ['C', 'F'] },
        note: { type: ['string', 'null'] },
        readings: { type: 'array', items: { type: 'integer' } },
      },
      required: ['temp', 'readings'],
    },
  },
  () => ({ structuredContent: { temp: 21, unit: 'F' as const, note: null, readings: [1, 2] } }),
);
server.registerTool(
  'json-bad',
  { outputSchema: { type: 'object', properties: { unit: { enum: ['C', 'F'] } }, required: ['unit'] } },
  // @ts-expect-error -- unit must be 'C' or 'F'
  () => ({ structuredContent: { unit: 'K' as const } }),
);

// A schema kept in a variable: jsonSchema() (or `as const`) keeps its literal type.
const weather = jsonSchema({
  type: 'object',
  properties: { temp: { type: 'number' }, ok: { const: true } },
  required: ['temp', 'ok'],
});
server.registerTool('json-var', { outputSchema: weather }, () => ({
  structuredContent: { temp: 1, ok: true as const },
}));
// @ts-expect-error -- ok must be the constant true
server.registerTool('json-var-bad', { outputSchema: weather }, () => ({ structuredContent: { temp: 1, ok: 'yes' } }));
const asConst = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
// @ts-expect-error -- id must be a string
server.registerTool('as-const-bad', { outputSchema: asConst }, () => ({ structuredContent: { id: 7 } }));

// A schema whose literal type is lost (a plain object variable) still works, with unknown content.
const loose: { [key: string]: unknown } = { type: 'object' };
server.registerTool('loose', { outputSchema: loose }, () => ({ structuredContent: 'anything' }));
// Without an outputSchema nothing changes.
server.registerTool('plain', {}, () => ({ content: text('hi') }));
server.registerTool('plain-structured', {}, () => ({ structuredContent: { any: 'shape' } }));

// FromJsonSchema on its own, for types shared with clients.
type Weather = FromJsonSchema<typeof weather>;
const w: Weather = { temp: 3, ok: true };
// @ts-expect-error -- temp is required
const w2: Weather = { ok: true };
void w;
void w2;
