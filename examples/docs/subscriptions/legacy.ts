import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
server.registerResource('Note', 'notes://today', {}, (uri) => [{ uri, text: 'draft' }]);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
// A session client (2025-11-25 and before): the same subscribe() sends resources/subscribe per URI,
// and list changes arrive on the session as they always did.
const client = new Client({ name: 'app', version: '1.0.0' }, { version: 'legacy' });
await client.connect(clientSide);
console.log(client.protocolVersion); // '2025-11-25'

const updates: string[] = [];
const subscription = await client.subscribe({ resourceSubscriptions: ['notes://today'] }, (method, params) =>
  updates.push(`${method} ${params.uri}`),
);
await server.resourceUpdated('notes://today');
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(updates); // ['notifications/resources/updated notes://today']
await subscription.close(); // resources/unsubscribe
await client.close();
