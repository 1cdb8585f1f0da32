// Three tsmcp processes behind a round-robin proxy (no affinity), driven by the tsmcp client and the
// official v2 client over 2026-07-28: calls spread over every instance, multi round-trip state sealed on
// one instance is opened on another (shared key; refused with different keys), and with Redis down a plain
// tools/call still works while a new instance's startup check says Redis is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client } from '../../../src/entries/client.js';
import { McpError } from '../../../src/protocol/errors.js';
import type { CallToolResult, ElicitParams } from '../../../src/protocol/types.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { startFleet, startInstance, type TestFleet } from '../../helpers/fleet.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../helpers/round-robin-proxy.js';

const KEY = 'fleet-e2e-shared-key-0123456789abcdef';
const textOf = (r: { content: unknown[] }) => String((r.content[0] as { text?: unknown }).text);

interface Driver {
  call(name: string, args?: Record<string, unknown>, onprogress?: (p: { progress: number }) => void): Promise<string>;
  close(): Promise<void>;
}

async function tsmcpDriver(url: string): Promise<Driver> {
  const client = new Client(
    { name: 'fleet-test', version: '1' },
    {
      version: '2026-07-28',
      handlers: {
        elicitation: (p: ElicitParams) => ({ action: 'accept', content: { name: `Ada(${p.message})` } }),
      },
    },
  );
  await client.connect(new StreamableHttpClientTransport(new URL(url)));
  assert.equal(client.era, 'modern');
  return {
    call: async (name, args = {}, onprogress) =>
      textOf((await client.callTool(name, args as never, onprogress ? { onprogress } : undefined)) as CallToolResult),
    close: () => client.close(),
  };
}

async function officialDriver(url: string): Promise<Driver> {
  const c = new V2Client(
    { name: 'official-v2', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'auto' } },
  );
  c.setRequestHandler('elicitation/create', async (req) => ({
    action: 'accept' as const,
    content: { name: `Ada(${String((req.params as { message?: unknown }).message)})` },
  }));
  await c.connect(new V2Http(new URL(url)));
  const x = c as unknown as Record<string, (...a: unknown[]) => Promise<{ content: unknown[] }>>;
  return {
    call: async (name, args = {}, onprogress) =>
      textOf(await x.callTool!({ name, arguments: args }, onprogress ? { onprogress } : {})),
    close: () => c.close(),
  };
}

describe('a fleet of three behind a round-robin proxy', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let fleet: TestFleet;
  let proxy: RoundRobinProxy;
  before(async () => {
    redis = await startRedis();
    fleet = await startFleet(3, { REDIS_URL: redis.url, FLEET_KEY: KEY });
    proxy = await startRoundRobinProxy(fleet.urls);
  });
  after(async () => {
    await proxy?.close();
    await fleet?.close();
    await redis?.close();
  });

  it('each instance ran its startup check: every store a fleet needs is shared, no warning', () => {
    for (const i of fleet.instances) assert.deepEqual(i.warnings, []);
  });

  for (const [name, driver] of [
    ['tsmcp client', tsmcpDriver],
    ['official v2 client', officialDriver],
  ] as const) {
    it(`${name}: calls spread over all three instances, progress streams through the proxy`, async () => {
      const before = [...proxy.served];
      const c = await driver(proxy.url());
      try {
        const answered = new Set<string>();
        for (let i = 0; i < 6; i++) answered.add(await c.call('whoami'));
        assert.deepEqual([...answered].sort(), ['0', '1', '2']);
        const progress: number[] = [];
        assert.match(await c.call('slow', {}, (p) => progress.push(p.progress)), /slow done on \d/);
        assert.deepEqual(progress, [1, 2, 3]);
      } finally {
        await c.close();
      }
      proxy.served.forEach((n, i) => assert.ok(n > before[i]!, `upstream ${i} served nothing`));
    });

    it(`${name}: an elicitation whose rounds land on different instances completes (shared key)`, async () => {
      const c = await driver(proxy.url());
      try {
        // The tool names the instance that finished; the first round was served by another (round-robin,
        // nothing else in flight), which sealed the state this one opened.
        const before = [...proxy.served];
        const r = await c.call('ask');
        assert.match(r, /^Ada\(Your name\?\) answered on \d$/);
        const used = proxy.served.map((n, i) => n - before[i]!).filter((d) => d > 0).length;
        assert.ok(used >= 2, `rounds landed on ${used} instance(s): ${proxy.served}`);
      } finally {
        await c.close();
      }
    });
  }

  it('with a different key on each instance, the second round is refused with a clear error', async () => {
    const split = await startFleet(3, {
      REDIS_URL: redis.url,
      FLEET_KEY: (i) => `instance-${i}-own-key-`.padEnd(40, 'x'),
    });
    const splitProxy = await startRoundRobinProxy(split.urls);
    const c = await tsmcpDriver(splitProxy.url());
    try {
      await assert.rejects(
        c.call('ask'),
        (e: unknown) =>
          e instanceof McpError && e.code === -32602 && /requestState: integrity check failed/.test(e.message),
      );
      // A single-round call still works anywhere.
      assert.match(await c.call('echo', { text: 'hi' }), /^\d:hi$/);
    } finally {
      await c.close();
      await splitProxy.close();
      await split.close();
    }
  });

  // Last two: they stop Redis, then an instance.
  it('Redis down: a plain tools/call still works; a new instance refuses to start, naming the Redis URL', async () => {
    await redis.stop({ kill: true });
    const c = await tsmcpDriver(proxy.url());
    try {
      const answered = new Set<string>();
      for (let i = 0; i < 3; i++) answered.add(await c.call('whoami'));
      assert.equal(answered.size, 3);
      assert.match(await c.call('ask'), /answered on \d$/);
    } finally {
      await c.close();
    }
    await assert.rejects(
      startInstance('late', { REDIS_URL: redis.url, FLEET_KEY: KEY, FLEET_CONNECT_TIMEOUT_MS: '500' }),
      (e: unknown) => {
        assert.equal((e as { exitCode?: number }).exitCode, 2);
        assert.match(
          (e as Error).message,
          new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redis.port}/? cannot be reached`),
        );
        return true;
      },
    );
  });

  it('kill -9 of an instance: the proxy skips it (connection refused) and calls go on; remove() takes one out', async () => {
    await fleet.kill(2);
    const before = [...proxy.served];
    const c = await tsmcpDriver(proxy.url());
    try {
      const answered = new Set<string>();
      for (let i = 0; i < 6; i++) answered.add(await c.call('whoami'));
      assert.deepEqual([...answered].sort(), ['0', '1']);
      assert.equal(proxy.served[2], before[2]);
      assert.equal(proxy.failed, 0);
      proxy.remove(1);
      for (let i = 0; i < 3; i++) assert.equal(await c.call('whoami'), '0');
    } finally {
      await c.close();
    }
  });
});
