// A client and a server joined by the in-memory transport pair: no process, no port.
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { createServer } from './server.js';

const [clientSide, serverSide] = createLinkedPair();
const connection = await createServer().connect(serverSide);
const client = new Client({ name: 'test', version: '1.0.0' });
await client.connect(clientSide);

const result = await client.callTool('add', { a: 2, b: 3 });
console.log(client.protocolVersion, result.content); // 2026-07-28 [ { type: 'text', text: '5' } ]

await client.close();
await connection.close();
