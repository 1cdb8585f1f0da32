// One instance of the fleet example: an McpServer configured by redisFleet() (shared requestState key,
// Redis connection), checked at startup, served on a loopback port. index.ts starts three of these.
import { createServer } from 'node:http';
import { McpServer } from '../../src/entries/server.js';
import { FleetConfigError, redisFleet } from '../../src/stores/redis/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const id = process.env.INSTANCE ?? '0';

const fleet = await redisFleet({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: 'fleet-example:',
  requestState: { key: process.env.MCP_STATE_KEY ?? '' },
}).catch((e: unknown) => {
  // A missing or short key, or an unreachable Redis: say what is wrong and do not serve.
  console.error(`instance ${id}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

const server = new McpServer({ name: 'fleet-example', version: '1.0.0' }, { ...fleet.serverOptions });
server.registerTool('whoami', { description: 'Which instance answered' }, () => ({
  content: [{ type: 'text', text: `instance ${id}` }],
}));
server.registerTool(
  'greet',
  { description: 'Asks your name (two rounds: any instance may answer each)' },
  async (_a, ctx) => {
    const r = await ctx.elicit(
      { message: 'Your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
      { key: 'name' },
    );
    return { content: [{ type: 'text', text: `hello ${String(r.content?.name)}, from instance ${id}` }] };
  },
);

const http = { ...fleet.httpOptions };
const report = await fleet.check({ server, http });
if (report.errors.length) {
  console.error(`instance ${id}: ${new FleetConfigError(report.errors).message}`);
  process.exit(1);
}
if (id === '0') for (const w of report.warnings) console.error(`fleet check warning (${w.option}): ${w.message}`);

const listener = createServer(createNodeHandler(server, http));
listener.listen(0, '127.0.0.1', () => process.send?.({ port: (listener.address() as { port: number }).port }));
process.on('disconnect', () => {
  listener.closeAllConnections();
  listener.close();
  void fleet.close();
});
