import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
let note = 'first draft';
server.registerResource('Note', 'notes://today', {}, (uri) => [{ uri, text: note }]);
server.registerTool('search', {}, () => ({ content: [] }));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);

// 2026-07-28: one subscriptions/listen stream for every kind of event, reconnected by the client when it drops.
const events: string[] = [];
const subscription = await client.subscribe(
  { toolsListChanged: true, resourceSubscriptions: ['notes://today'] },
  (method, params) => events.push(`${method} ${params.uri ?? ''}`.trim()),
);
console.log(subscription.acknowledged); // what the server agreed to send

note = 'second draft';
await server.resourceUpdated('notes://today'); // → notifications/resources/updated to subscribers of that URI
server.registerTool('summarize', {}, () => ({ content: [] })); // → notifications/tools/list_changed
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(events); // ['notifications/resources/updated notes://today', 'notifications/tools/list_changed']
await subscription.close();
await client.close();
