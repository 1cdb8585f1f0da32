// RedisEventStore: events one instance wrote are replayed by another, only within their session, and a
// stream that lost events (trimmed, too big to keep) is refused rather than replayed with a hole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisConnection, RedisEventStore } from '../../../src/stores/redis/index.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

describe('RedisEventStore', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let connA: RedisConnection;
  let connB: RedisConnection;
  before(async () => {
    redis = await startRedis();
    connA = await RedisConnection.connect({ url: redis.url, prefix: 'ev-test:' });
    connB = await RedisConnection.connect({ url: redis.url, prefix: 'ev-test:' });
  });
  after(async () => {
    await connA?.close();
    await connB?.close();
    await redis?.close();
  });

  it('replays on another instance what one instance wrote, after the id the client saw', async () => {
    const a = new RedisEventStore(connA);
    const b = new RedisEventStore(connB);
    assert.notEqual(a.streamPrefix, b.streamPrefix);
    const stream = `${a.streamPrefix}g0`;
    const prime = a.append('s1', stream, '')!;
    const ids = [1, 2, 3].map((n) => a.append('s1', stream, JSON.stringify({ n }))!);
    await a.flush();
    const missed = await b.replay('s1', ids[0]!);
    assert.deepEqual(missed, {
      streamId: stream,
      events: [
        { id: ids[1], data: '{"n":2}' },
        { id: ids[2], data: '{"n":3}' },
      ],
    });
    assert.equal((await b.replay('s1', prime))?.events.length, 3, 'from the priming event: everything');
    assert.deepEqual((await b.replay('s1', ids[2]!))?.events, [], 'nothing missed');
  });

  it("keeps a GET stream's change-log position with each event; replay gives the last event's", async () => {
    const a = new RedisEventStore(connA);
    const b = new RedisEventStore(connB);
    const stream = `${a.streamPrefix}g1`;
    const prime = a.append('s2', stream, '', '1700000000000-0')!;
    a.append('s2', stream, '{"n":1}', '1700000000000-5');
    await a.flush();
    const got = await b.replay('s2', prime);
    assert.equal(got?.position, '1700000000000-5');
    assert.deepEqual(
      got?.events.map((e) => e.data),
      ['{"n":1}'],
    );
    // A stream written without positions (not a GET stream) has none.
    const post = `${a.streamPrefix}p1`;
    const first = a.append('s2', post, '{"r":1}')!;
    await a.flush();
    assert.equal((await b.replay('s2', first))?.position, undefined);
  });

  it('an event id of another session, an id not yet written or a malformed one is unknown', async () => {
    const a = new RedisEventStore(connA);
    const id = a.append('mine', `${a.streamPrefix}0`, '{"x":1}')!;
    await a.flush();
    assert.equal(await a.replay('theirs', id), undefined);
    assert.equal(await a.replay('mine', `${a.streamPrefix}0.9`), undefined);
    assert.equal(await a.replay('mine', 'nodot'), undefined);
    assert.equal(await a.replay('mine', `${a.streamPrefix}0.x`), undefined);
  });

  it('bounds a stream (MAXLEN): resuming from a trimmed event is refused, from a kept one works', async () => {
    const a = new RedisEventStore(connA, { maxEventsPerStream: 3 });
    const ids = [1, 2, 3, 4, 5].map((n) => a.append('s2', 'k', String(n))!);
    await a.flush();
    assert.equal(await connA.run((c) => c.xLen(connA.key('ev', '{s2}', 'k'))), 3);
    assert.equal(await a.replay('s2', ids[0]!), undefined, 'events 2 was trimmed: cannot resume without a hole');
    assert.deepEqual(
      (await a.replay('s2', ids[1]!))?.events.map((e) => e.data),
      ['3', '4', '5'],
    );
  });

  it('an event too big to keep goes out with an id, but resuming from before it is refused', async () => {
    const a = new RedisEventStore(connA, { maxEventBytes: 10 });
    const small = a.append('s3', 'k', '"ok"')!;
    const big = a.append('s3', 'k', '"far too long to keep"');
    const after1 = a.append('s3', 'k', '"ok2"')!;
    assert.ok(big);
    await a.flush();
    assert.equal(await a.replay('s3', small), undefined);
    assert.deepEqual(
      (await a.replay('s3', big!))?.events.map((e) => e.data),
      ['"ok2"'],
    );
    assert.deepEqual((await a.replay('s3', after1))?.events, []);
  });

  it('a stream missing an event in the middle (a write lost or late) is refused, not replayed with a hole', async () => {
    const a = new RedisEventStore(connA);
    const ids = [1, 2, 3, 4].map((n) => a.append('s5', 'k', String(n))!);
    await a.flush();
    await connA.run((c) => c.xDel(connA.key('ev', '{s5}', 'k'), '0-3'));
    assert.equal(await a.replay('s5', ids[0]!), undefined);
    assert.deepEqual(
      (await a.replay('s5', ids[2]!))?.events.map((e) => e.data),
      ['4'],
    );
  });

  it('dropSession removes every stream of the session, whoever wrote it; events expire by ttlMs', async () => {
    const a = new RedisEventStore(connA, { ttlMs: 60_000 });
    const b = new RedisEventStore(connB);
    const ida = a.append('s4', `${a.streamPrefix}0`, '1')!;
    const idb = b.append('s4', `${b.streamPrefix}0`, '2')!;
    await a.flush();
    await b.flush();
    const ttl = await connA.run((c) => c.pTTL(connA.key('ev', '{s4}', `${a.streamPrefix}0`)));
    assert.ok(ttl > 0 && ttl <= 60_000, String(ttl));
    b.dropSession('s4');
    await b.flush();
    assert.equal(await a.replay('s4', ida), undefined);
    assert.equal(await a.replay('s4', idb), undefined);
    assert.equal(a.localStreams + b.localStreams, 1, 'a still counts its stream until it drops it');
    assert.equal(await connA.run((c) => c.exists(connA.key('evs', '{s4}'))), 0);
  });
});
