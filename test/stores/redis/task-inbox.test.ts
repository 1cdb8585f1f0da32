// Input answers for a task running on another instance travel by pub/sub; one sent while the owner's
// subscriber is away (reconnecting) must still arrive: the owner's lease renewal reads the task's inbox.
// And an answer that arrives both ways is delivered once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TaskSignal } from '../../../src/extensions/tasks/coordinator.js';
import { RedisConnection, RedisTaskCoordinator } from '../../../src/stores/redis/index.js';
import { taskKey } from '../../../src/stores/redis/task-keys.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

describe('RedisTaskCoordinator inbox', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let connA: RedisConnection;
  let connB: RedisConnection;
  before(async () => {
    redis = await startRedis();
    connA = await RedisConnection.connect({ url: redis.url, prefix: 'inbox:' });
    connB = await RedisConnection.connect({ url: redis.url, prefix: 'inbox:' });
  });
  after(async () => {
    await connA?.close();
    await connB?.close();
    await redis?.close();
  });

  /** A live task `id` claimed by a coordinator on A (lease 300 ms: renewed every 100 ms); what A receives. */
  async function running(id: string) {
    await connA.run((r) => r.hSet(taskKey(connA, id), 'status', '"input_required"'));
    const a = new RedisTaskCoordinator(connA, { leaseMs: 300 });
    const got: TaskSignal[] = [];
    await a.claim(id, (s) => got.push(s));
    return { a, got, b: new RedisTaskCoordinator(connB, { leaseMs: 300 }) };
  }
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await sleep(20);
  };

  it('an answer sent while the owner is not subscribed arrives with its next renewal', async () => {
    const { a, b, got } = await running('t1');
    // The owner's subscriber drops its channel, as during a reconnect: the PUBLISH reaches nobody.
    await (await connA.subscriber()).unsubscribe(connA.key('taskinst', a.instanceId));
    await b.send('t1', { type: 'input', responses: { name: { action: 'accept', content: { name: 'Ada' } } } });
    await until(() => got.length > 0);
    assert.deepEqual(got, [{ type: 'input', responses: { name: { action: 'accept', content: { name: 'Ada' } } } }]);
    await sleep(250); // two more renewals: the inbox was emptied, nothing is delivered twice
    assert.equal(got.length, 1);
    await a.release('t1');
    await a.close();
  });

  it('an answer that arrives by pub/sub is not delivered again from the inbox', async () => {
    const { a, b, got } = await running('t2');
    await b.send('t2', { type: 'input', responses: { k: { action: 'decline' } } });
    await until(() => got.length > 0);
    await sleep(250); // two renewals read the inbox too
    assert.equal(got.length, 1);
    await a.release('t2');
    await a.close();
  });
});
