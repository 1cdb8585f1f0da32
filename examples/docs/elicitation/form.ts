import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'travel', version: '1.0.0' });
let runs = 0;
server.registerTool(
  'book_trip',
  { inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
  async (args, ctx) => {
    runs++; // 2026-07-28: the handler runs again when the client comes back with the answer
    const answer = await ctx.elicit({
      message: `Book a trip to ${args.city}? How many nights?`,
      requestedSchema: {
        type: 'object',
        properties: { nights: { type: 'integer', minimum: 1 } },
        required: ['nights'],
      },
    });
    if (answer.action !== 'accept') return { content: [{ type: 'text', text: 'Cancelled.' }] };
    return { content: [{ type: 'text', text: `Booked ${answer.content?.nights} nights in ${args.city}.` }] };
  },
);

// The client answers with its `elicitation` handler (a real app asks its user).
const client = new Client(
  { name: 'app', version: '1.0.0' },
  {
    handlers: {
      elicitation: async (params) => (
        console.log('asked:', params.message), { action: 'accept', content: { nights: 3 } }
      ),
    },
  },
);
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
console.log((await client.callTool('book_trip', { city: 'Oslo' })).content); // [{ type: 'text', text: 'Booked 3 nights in Oslo.' }]
console.log(`handler runs: ${runs}`); // 2 on 2026-07-28 (one per round), 1 on a legacy session
await client.close();
