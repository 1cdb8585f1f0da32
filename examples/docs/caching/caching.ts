import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

let reads = 0;
// Default hints for results that set none: lists, server/discover, resource reads.
const server = new McpServer(
  { name: 'catalog', version: '1.0.0' },
  { cache: { lists: { ttlMs: 60_000, cacheScope: 'public' } } },
);
server.registerTool('search', {}, () => ({ content: [] }));
// A hint per resource: fresh for 5 s, and private (per user: a shared cache must not keep it).
server.registerResource('Prices', 'catalog://prices', { cache: { ttlMs: 5_000, cacheScope: 'private' } }, (uri) => [
  { uri, text: `prices, read ${++reads} time(s)` },
]);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' }); // `cache: false` turns the client's cache off
await client.connect(clientSide);

const first = await client.readResource('catalog://prices');
console.log(first.ttlMs, first.cacheScope); // 5000 'private' (2026-07-28 results carry the hints)
await client.readResource('catalog://prices'); // fresh: answered from the client's cache
console.log((await client.readResource('catalog://prices', { noCache: true })).contents[0]); // read 2 time(s)
await client.close();
