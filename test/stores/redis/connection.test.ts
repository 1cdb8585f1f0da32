// The shared Redis connection: commands run, a stopped Redis is a RedisUnavailableError (503 +
// Retry-After) at once instead of a hang, and the client reconnects by itself when Redis is back.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { RedisConnection, RedisUnavailableError } from '../../../src/stores/redis/index.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

describe('RedisConnection', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  before(async () => {
    redis = await startRedis({ persistence: true });
    conn = await RedisConnection.connect({ url: redis.url, prefix: 'test:', maxReconnectDelayMs: 100 });
  });
  after(async () => {
    await conn?.close();
    await redis?.close();
  });

  it('runs commands under its prefix', async () => {
    await conn.run((c) => c.set(conn.key('a'), '1'));
    assert.equal(await conn.run((c) => c.get('test:a')), '1');
  });

  it('answers RedisUnavailableError (503, Retry-After) while Redis is down, and reconnects when it is back', async () => {
    await redis.stop({ kill: true });
    // Fail fast: the first command after the drop is refused, not queued.
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await conn.run((c) => c.get(conn.key('a')));
        await sleep(20);
      } catch (e) {
        refused = e;
      }
    }
    assert.ok(refused instanceof RedisUnavailableError, String(refused));
    assert.equal(refused.httpStatus, 503);
    assert.equal(refused.httpHeaders?.['retry-after'], '2');
    await redis.restart();
    let value: string | null | undefined;
    for (let i = 0; i < 100 && value === undefined; i++) {
      try {
        value = await conn.run((c) => c.get(conn.key('a')));
      } catch {
        await sleep(50);
      }
    }
    assert.equal(value, '1', 'reconnected, and the value written before the restart is kept (AOF)');
  });
});
