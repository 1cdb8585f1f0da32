import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const users: { [id: string]: { name: string } } = { '1': { name: 'Ada' }, '2': { name: 'Grace' } };

const server = new McpServer({ name: 'users', version: '1.0.0' });
// An RFC 6570 template: reads of any matching URI land here, with the variables decoded.
server.registerResourceTemplate(
  'User',
  'users://{id}/profile',
  {
    mimeType: 'application/json',
    // Optional: the concrete resources behind the template, shown in resources/list.
    list: () => Object.keys(users).map((id) => ({ uri: `users://${id}/profile`, name: users[id]!.name })),
  },
  (uri, { id }) => [{ uri, mimeType: 'application/json', text: JSON.stringify(users[String(id)] ?? null) }],
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.listAllResourceTemplates()).map((t) => t.uriTemplate)); // ['users://{id}/profile']
console.log((await client.listAllResources()).map((r) => r.uri)); // ['users://1/profile', 'users://2/profile']
console.log((await client.readResource('users://2/profile')).contents[0]); // { …, text: '{"name":"Grace"}' }
await client.close();
