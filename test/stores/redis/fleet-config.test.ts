// redisFleet(): refuses a fleet that cannot work (no or short shared key, Redis unreachable: the URL
// without its password), and its startup check names what an instance misses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpServer } from '../../../src/entries/server.js';
import { InMemoryEventBus } from '../../../src/server/events.js';
import { FleetConfigError, RedisEventBus, redisFleet, type RedisFleet } from '../../../src/stores/redis/index.js';
import { freePort, skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

const KEY = 'fleet-test-key-0123456789abcdefghij';
const issue = (code: string) => (e: unknown) =>
  e instanceof FleetConfigError && e.code === 'TSMCP_FLEET_CONFIG' && e.issues.some((i) => i.code === code);

describe('redisFleet: configuration errors', () => {
  it('refuses a fleet without a shared requestState key, naming the option', async () => {
    await assert.rejects(redisFleet({} as never), (e: unknown) => {
      assert.ok(issue('requestState.missing')(e));
      assert.match((e as Error).message, /requestState\.key/);
      return true;
    });
  });
  it('refuses a key (or previous key) shorter than 32 characters', async () => {
    await assert.rejects(redisFleet({ requestState: { key: 'too-short' } }), issue('requestState.short'));
    await assert.rejects(
      redisFleet({ requestState: { key: KEY, previousKeys: ['old-and-short'] } }),
      issue('requestState.short'),
    );
  });
});

describe('redisFleet: Redis and the startup check', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let fleet: RedisFleet;
  before(async () => {
    redis = await startRedis();
    fleet = await redisFleet({ url: redis.url, prefix: 'fleet-config:', requestState: { key: KEY } });
  });
  after(async () => {
    await fleet?.close();
    await redis?.close();
  });

  it('an unreachable Redis at startup is a clear error naming the URL, without the password, after a bounded wait', async () => {
    const port = await freePort();
    await assert.rejects(
      redisFleet({ url: `redis://user:s3cret@127.0.0.1:${port}`, requestState: { key: KEY }, connectTimeoutMs: 300 }),
      (e: unknown) => {
        assert.ok(issue('redis.unreachable')(e), String(e));
        const m = (e as Error).message;
        assert.match(m, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.doesNotMatch(m, /s3cret/);
        return true;
      },
    );
  });

  it('a server built with fleet.serverOptions passes; in-memory stores are warnings listing each', async () => {
    const server = new McpServer({ name: 's', version: '1' }, { ...fleet.serverOptions, tasks: true });
    const report = await fleet.check({ server, http: { ...fleet.httpOptions } });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.warnings.map((w) => w.code),
      ['tasks.inMemory'],
    );
    // With the fleet's task options, nothing is left in memory.
    const shared = new McpServer({ name: 's', version: '1' }, { ...fleet.serverOptions, tasks: fleet.tasks });
    assert.deepEqual(await fleet.check({ server: shared, http: { ...fleet.httpOptions } }), {
      errors: [],
      warnings: [],
    });
    // An HTTP front given none of the fleet's stores keeps legacy sessions and their events to itself.
    const bareHttp = await fleet.check({ server, http: {} });
    assert.deepEqual(bareHttp.warnings.map((w) => w.code).sort(), [
      'eventStore.inMemory',
      'sessions.inMemory',
      'tasks.inMemory',
    ]);
    assert.ok(server.server.events instanceof RedisEventBus, 'the fleet shares its change-event bus');
    // Legacy off: no event store is needed.
    const modernOnly = await fleet.check({ server: server.server, http: { legacy: false } });
    assert.deepEqual(modernOnly.warnings, []);
    // A server given only the key keeps the in-memory bus: listen streams elsewhere would miss its events.
    const ownBus = new McpServer({ name: 's', version: '1' }, { requestState: fleet.serverOptions.requestState });
    assert.ok(ownBus.server.events instanceof InMemoryEventBus);
    const r = await fleet.check({ server: ownBus, http: { legacy: false } });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['events.inMemory'],
    );
  });

  it('a server without the fleet key, or with another key, is an error', async () => {
    const bare = new McpServer({ name: 's', version: '1' });
    const other = new McpServer({ name: 's', version: '1' }, { requestState: { key: 'x'.repeat(32) } });
    for (const server of [bare, other]) {
      const report = await fleet.check({ server });
      assert.deepEqual(
        report.errors.map((e) => e.code),
        ['requestState.notShared'],
      );
    }
    // A second fleet with the same key: its servers pass.
    const twin = await redisFleet({ url: redis.url, requestState: { key: KEY } });
    try {
      const s = new McpServer({ name: 's', version: '1' }, { ...twin.serverOptions });
      assert.deepEqual((await fleet.check({ server: s })).errors, []);
    } finally {
      await twin.close();
    }
  });

  it('Redis going away later: check reports it (and does not throw or hang)', async () => {
    const own = await startRedis();
    const f = await redisFleet({ url: own.url, requestState: { key: KEY }, maxReconnectDelayMs: 100 });
    try {
      assert.deepEqual((await f.check()).errors, []);
      await own.stop({ kill: true });
      const report = await f.check();
      assert.deepEqual(
        report.errors.map((e) => e.code),
        ['redis.unreachable'],
      );
      assert.match(report.errors[0]!.message, new RegExp(`127\\.0\\.0\\.1:${own.port}`));
    } finally {
      await f.close();
      await own.close();
    }
  });
});
