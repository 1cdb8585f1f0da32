// A task whose running instance died ends `failed` even when no client reads it: every instance with a
// coordinator sweeps the fleet's live tasks for lost leases now and then (and a live owner's task is left alone).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { McpServer } from '../../../src/entries/server.js';
import { RedisConnection, RedisTaskCoordinator, RedisTaskStore } from '../../../src/stores/redis/index.js';
import { leaseKey } from '../../../src/stores/redis/task-keys.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

const LEASE_MS = 300;

describe('RedisTaskCoordinator sweep', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  let coordinator: RedisTaskCoordinator;
  let store: RedisTaskStore;
  before(async () => {
    redis = await startRedis();
    conn = await RedisConnection.connect({ url: redis.url, prefix: 'sweep:' });
    store = new RedisTaskStore(conn);
    coordinator = new RedisTaskCoordinator(conn, { leaseMs: LEASE_MS });
    // One instance of the fleet: its tasks manager watches for orphans through the coordinator.
    new McpServer({ name: 'sweeper', version: '1' }, { tasks: { store, coordinator } });
  });
  after(async () => {
    await coordinator?.close();
    await conn?.close();
    await redis?.close();
  });

  const record = (taskId: string) => {
    const now = new Date().toISOString();
    return { taskId, status: 'working' as const, createdAt: now, lastUpdatedAt: now, ttlMs: 60_000, principal: 'p' };
  };

  it('a live task with no lease (its instance died) ends failed without any read; one with a lease stays working', async () => {
    await store.create(record('orphan1'));
    await store.create(record('alive1'));
    // Another instance holds alive1's lease (renewed here by hand, as its timer would).
    const renew = () =>
      conn.run((r) =>
        r.set(leaseKey(conn, 'alive1'), 'other-instance', { expiration: { type: 'PX', value: LEASE_MS } }),
      );
    await renew();
    let status: string | undefined;
    for (let i = 0; i < 50 && status !== 'failed'; i++) {
      await sleep(50);
      await renew();
      status = (await store.get('orphan1'))?.status;
    }
    const orphan = await store.get('orphan1');
    assert.equal(orphan?.status, 'failed');
    assert.match(orphan?.error?.message ?? '', /instance running this task stopped/);
    assert.equal((await store.get('alive1'))?.status, 'working');
  });
});
