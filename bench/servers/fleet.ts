// Fleet benchmark server in a child process: `memory` (in-memory stores) or `redis` (redisFleet(): env
// REDIS_URL, FLEET_KEY). Tools: `echo`, `job` (a task that completes at once), `hold` (a task that waits
// HOLD_MS, for polls of a live task). Reports its port over IPC; exits when the parent goes away.
import { createServer } from 'node:http';
import { McpServer } from '../../src/entries/server.js';
import { FleetConfigError, redisFleet } from '../../src/stores/redis/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const mode = process.argv[2];
const HOLD_MS = Number(process.env.HOLD_MS ?? 1500);
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

const fleet =
  mode === 'redis'
    ? await redisFleet({
        url: process.env.REDIS_URL,
        prefix: 'bench:',
        requestState: { key: process.env.FLEET_KEY ?? '' },
      })
    : undefined;
const server = new McpServer(
  { name: 'bench-fleet', version: '1' },
  fleet ? { ...fleet.serverOptions, tasks: fleet.tasks } : { tasks: true },
);
server.registerTool(
  'echo',
  { inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  (a) => text(String(a.text)),
);
server.registerTool('job', { task: 'always' }, async () => text('done'));
server.registerTool('hold', { task: 'always' }, async (_a, ctx) => {
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, HOLD_MS);
    ctx.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
  return text('held');
});

const http = fleet ? { ...fleet.httpOptions } : {};
if (fleet) {
  const report = await fleet.check({ server, http });
  if (report.errors.length) throw new FleetConfigError(report.errors);
}
const listener = createServer(createNodeHandler(server, http));
listener.keepAliveTimeout = 60_000;
listener.listen(0, '127.0.0.1', () => process.send!({ port: (listener.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
