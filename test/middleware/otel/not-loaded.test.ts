// No cost without tsmcp/otel: a process that imports every other entry of tsmcp (and uses a server and a
// client) loads no @opentelemetry module; one that imports tsmcp/otel does (the detector works).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { repoRoot } from '../../helpers/repo.js';

/**
 * Run `body` as an ES module in a child whose resolve hook reports every URL resolved, and return the
 * ones under an @opentelemetry package (ES modules and CommonJS ones in require.cache alike).
 */
function loadedOtel(body: string): string[] {
  const hook = `
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      port.postMessage(r.url);
      return r;
    }`;
  const script = `
    import { register, createRequire } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), {
      data: { port: port2 },
      transferList: [port2],
    });
    ${body}
    // The hook's messages come from another thread: wait (bounded) for the marker resolved last.
    const marker = 'data:text/javascript,export default "marker"';
    await import(marker);
    for (let i = 0; i < 500 && !seen.includes(marker); i++) await new Promise((r) => setTimeout(r, 10));
    if (!seen.includes(marker)) throw new Error('the resolve hook reported nothing');
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    port1.close();
    console.log(JSON.stringify([...seen, ...cjs].filter((u) => u.includes('@opentelemetry'))));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `the child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

const ENTRIES = ['tsmcp', 'tsmcp/server', 'tsmcp/client', 'tsmcp/memory', 'tsmcp/http', 'tsmcp/middleware'];

describe('tsmcp/otel is the only entry that loads @opentelemetry/api', () => {
  it('a server and a client in use, every core entry imported: no @opentelemetry module loaded', () => {
    const loaded = loadedOtel(`
      for (const e of ${JSON.stringify(ENTRIES)}) await import(e);
      const { McpServer } = await import('tsmcp/server');
      const { Client } = await import('tsmcp/client');
      const { createLinkedPair } = await import('tsmcp/memory');
      const { requestLogger } = await import('tsmcp/middleware');
      const server = new McpServer({ name: 's', version: '1' }).use(requestLogger({ log: () => {} }));
      server.registerTool('echo', {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
      const [ct, st] = createLinkedPair();
      await server.connect(st);
      const client = new Client({ name: 'c', version: '1' });
      await client.connect(ct);
      await client.callTool('echo');
      await client.close();`);
    assert.deepEqual(loaded, []);
  });

  it('importing tsmcp/otel loads @opentelemetry/api (the check above can see it)', () => {
    const loaded = loadedOtel(`await import('tsmcp/otel');`);
    assert.ok(
      loaded.some((u) => u.includes('@opentelemetry/api')),
      `expected @opentelemetry/api among ${JSON.stringify(loaded)}`,
    );
  });
});
