import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const cities = ['lisbon', 'london', 'los angeles', 'oslo', 'paris'];
const server = new McpServer({ name: 'travel', version: '1.0.0' });
server.registerPrompt(
  'plan_trip',
  { arguments: [{ name: 'city', required: true, complete: (value) => cities.filter((c) => c.startsWith(value)) }] },
  ({ city }) => [{ role: 'user', content: { type: 'text', text: `Plan a trip to ${city}` } }],
);
server.registerResourceTemplate(
  'Weather',
  'weather://{country}/{city}',
  {
    complete: {
      country: (value) => ['fr', 'pt', 'uk'].filter((c) => c.startsWith(value)),
      // The other arguments already chosen come in `context.arguments`.
      city: (value, { arguments: args }) =>
        (args.country === 'pt' ? ['lisbon', 'porto'] : cities).filter((c) => c.startsWith(value)),
    },
  },
  (uri) => [{ uri, text: 'sunny' }],
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
const forPrompt = await client.complete({
  ref: { type: 'ref/prompt', name: 'plan_trip' },
  argument: { name: 'city', value: 'lo' },
});
console.log(forPrompt.values); // ['london', 'los angeles']
const forTemplate = await client.complete({
  ref: { type: 'ref/resource', uri: 'weather://{country}/{city}' },
  argument: { name: 'city', value: 'p' },
  context: { arguments: { country: 'pt' } },
});
console.log(forTemplate.values); // ['porto']
await client.close();
