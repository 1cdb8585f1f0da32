import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { requestLogger } from 'tsmcp/middleware';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'demo', version: '1' });
server.registerTool('ping', {}, () => ({ content: [{ type: 'text', text: 'pong' }] }));
server.use(requestLogger()); // stderr: stdout is the protocol on stdio

const client = new Client({ name: 'app', version: '1' });
client.use(requestLogger({ log: (line, entry) => console.log(line, entry.method) }));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
await client.callTool('ping');
// tools/call ok 2ms (stderr, the server)
// tools/call ok 3ms tools/call (stdout, the client)
// and for failures: tools/call error -32602 3ms, tools/list error TSMCP_TIMEOUT 60001ms
await client.close();
