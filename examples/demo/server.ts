// Demo server: a weather service with structured output, a tool that asks the user, resources, a prompt.
// Runs over stdio; `client.ts` beside it spawns and drives it.
import * as z from 'zod';
import { McpServer, ToolError } from '../../src/entries/server.js';
import { StdioServerTransport } from '../../src/transports/stdio/index.js';

const FORECASTS: { [city: string]: { tempC: number; sky: string } } = {
  paris: { tempC: 14, sky: 'cloudy' },
  lisbon: { tempC: 21, sky: 'sunny' },
  oslo: { tempC: 3, sky: 'snow' },
};

const server = new McpServer(
  { name: 'tsmcp-demo', version: '0.1.0', title: 'tsmcp demo weather server' },
  { capabilities: { logging: {} } },
);

server.registerTool(
  'forecast',
  {
    title: 'Weather forecast',
    description: 'Forecast for a city',
    inputSchema: z.object({ city: z.string().describe('City name') }),
    outputSchema: z.object({ city: z.string(), tempC: z.number(), sky: z.string() }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  async ({ city }, ctx) => {
    await ctx.progress(50, 100, 'looking it up');
    const f = FORECASTS[city.toLowerCase()];
    if (!f) throw new ToolError(`No forecast for ${city}; try ${Object.keys(FORECASTS).join(', ')}`);
    return { structuredContent: { city, ...f } };
  },
);

server.registerTool(
  'book_trip',
  {
    description: 'Books a trip after asking the traveller to confirm',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  async (args, ctx) => {
    const answer = await ctx.elicit({
      message: `Book a trip to ${String(args.city)}? How many nights?`,
      requestedSchema: {
        type: 'object',
        properties: { nights: { type: 'integer', minimum: 1, maximum: 30 } },
        required: ['nights'],
      },
    });
    if (answer.action !== 'accept') return { content: [{ type: 'text', text: 'Booking cancelled by the traveller.' }] };
    return {
      content: [{ type: 'text', text: `Booked ${String(answer.content?.nights)} nights in ${String(args.city)}.` }],
    };
  },
);

server.registerResource(
  'About',
  'demo://about',
  { mimeType: 'text/plain', description: 'What this server is' },
  (uri) => [{ uri, mimeType: 'text/plain', text: 'A demo weather server built with tsmcp.' }],
);
server.registerResourceTemplate(
  'City report',
  'demo://cities/{city}',
  {
    mimeType: 'application/json',
    complete: { city: (v) => Object.keys(FORECASTS).filter((c) => c.startsWith(v.toLowerCase())) },
  },
  (uri, vars) => [
    { uri, mimeType: 'application/json', text: JSON.stringify({ city: vars.city, ...FORECASTS[String(vars.city)] }) },
  ],
);
server.registerPrompt(
  'packing_list',
  {
    description: 'Asks the model for a packing list',
    arguments: [
      { name: 'city', required: true, complete: (v) => Object.keys(FORECASTS).filter((c) => c.startsWith(v)) },
    ],
  },
  (args) => [{ role: 'user', content: { type: 'text', text: `What should I pack for ${args.city}?` } }],
);

await server.connect(new StdioServerTransport());
