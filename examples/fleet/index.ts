// The fleet example (npm run example:fleet): three instances as separate processes behind a round-robin
// proxy, sharing a Redis at REDIS_URL (default redis://127.0.0.1:6379) and one requestState key; a client
// calls through the proxy and prints which instance answered. See README "Running a fleet".
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/entries/client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { roundRobin } from './proxy.js';

// Every instance must get the same key; in production it comes from your secret store.
const key = process.env.MCP_STATE_KEY ?? randomBytes(32).toString('hex');
const children: ChildProcess[] = [];

function start(id: number): Promise<number> {
  const child = fork(fileURLToPath(new URL('./instance.js', import.meta.url)), {
    env: { ...process.env, INSTANCE: String(id), MCP_STATE_KEY: key },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`instance ${id} exited (${code}) before listening`)));
  });
}

const proxy = roundRobin(
  await Promise.all([0, 1, 2].map(start)).catch((e: unknown) => {
    for (const c of children) c.kill();
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }),
);
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
const url = new URL(`http://127.0.0.1:${(proxy.address() as { port: number }).port}/mcp`);

const client = new Client(
  { name: 'fleet-example-client', version: '1.0.0' },
  { version: '2026-07-28', handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) } },
);
await client.connect(new StreamableHttpClientTransport(url));
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;
for (let i = 0; i < 3; i++) console.log(`whoami → ${text(await client.callTool('whoami'))}`);
// Two rounds (input_required, then the answer with requestState), each on the next instance.
console.log(`greet → ${text(await client.callTool('greet'))}`);

await client.close();
proxy.closeAllConnections();
proxy.close();
for (const c of children) c.disconnect();
