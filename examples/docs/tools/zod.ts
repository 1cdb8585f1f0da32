import * as z from 'zod';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'weather', version: '1.0.0' });
server.registerTool(
  'forecast',
  {
    description: 'Forecast for a city',
    inputSchema: z.object({ city: z.string().describe('City name'), days: z.number().int().min(1).default(1) }),
    outputSchema: z.object({ city: z.string(), tempC: z.number() }),
    annotations: { readOnlyHint: true },
  },
  // `city` and `days` are typed from the schema; a bad argument never reaches the handler.
  async ({ city, days }) => ({ structuredContent: { city, tempC: 14 + days } }),
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.listTools()).tools[0]?.inputSchema); // the JSON Schema zod describes
const result = await client.callTool('forecast', { city: 'Paris' });
console.log(result.structuredContent, result.content); // { city: 'Paris', tempC: 15 }, plus a text copy
await client.close();
