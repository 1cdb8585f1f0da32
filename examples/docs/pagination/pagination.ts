import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

// Lists (tools, prompts, resources, templates) are served in pages of `pageSize` (default 100).
const server = new McpServer({ name: 'many', version: '1.0.0' }, { pageSize: 2 });
for (const name of ['a', 'b', 'c', 'd', 'e']) server.registerTool(name, {}, () => ({ content: [] }));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);

// One page at a time: pass back the opaque `nextCursor` until there is none.
let cursor: string | undefined;
do {
  const page = await client.listTools(cursor);
  console.log(page.tools.map((t) => t.name)); // ['a', 'b'], then ['c', 'd'], then ['e']
  cursor = page.nextCursor;
} while (cursor !== undefined);

// Or every page at once (stops on a repeated cursor):
console.log((await client.listAllTools()).length); // 5
await client.close();
