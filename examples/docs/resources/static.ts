import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'docs', version: '1.0.0' });
server.registerResource(
  'Readme',
  'docs://readme',
  { mimeType: 'text/markdown', description: 'The project readme' },
  (uri) => [{ uri, mimeType: 'text/markdown', text: '# Hello' }],
);
server.registerResource('Logo', 'docs://logo.png', { mimeType: 'image/png' }, (uri) => [
  { uri, mimeType: 'image/png', blob: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') }, // binary: base64
]);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.listAllResources()).map((r) => r.uri)); // ['docs://readme', 'docs://logo.png']
console.log((await client.readResource('docs://readme')).contents); // [{ uri: 'docs://readme', mimeType: 'text/markdown', text: '# Hello' }]
await client.close();
