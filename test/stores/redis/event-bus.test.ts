// Change events across a fleet: three McpServers in this process, each with its own RedisConnection and
// RedisEventBus on one throwaway redis-server and its own loopback HTTP handler. A 2026-07-28 listen stream
// and a 2025-11-25 session's GET stream, both on instance A, get what B and C raise exactly once, only what
// they subscribed, again after Redis restarts; oversize events are refused; a publish is one PUBLISH and a
// plain tools/call touches Redis not at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '../../../src/entries/client.js';
import { McpServer } from '../../../src/entries/server.js';
import { TsmcpError, type JsonObject } from '../../../src/index.js';
import type { ServerEvent } from '../../../src/server/events.js';
import { RedisConnection, RedisEventBus } from '../../../src/stores/redis/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { createNodeHandler } from '../../../src/transports/http/node.js';
import { listenNode } from '../../helpers/listen.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

const MAX_EVENT = 8192;
const WATCHED = ['app://watched', 'app://local', 'app://primer', 'app://sentinel'];

interface Instance {
  name: string;
  conn: RedisConnection;
  bus: RedisEventBus;
  mcp: McpServer;
  url: string;
  errors: unknown[];
}

/** Wait (at most 200 short sleeps) until `done` holds, doing `step` before each look. */
async function until(done: () => boolean, what: string, step?: () => unknown): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await step?.();
    await sleep(25);
  }
  assert.ok(done(), `timed out waiting for ${what}`);
}

/** Calls per Redis command (INFO commandstats), INFO itself left out. */
async function commandCalls(probe: RedisConnection): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const info = await probe.run((c) => c.info('commandstats'));
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== 'info') out.set(m[1]!, Number(m[2]));
  return out;
}
function delta(before: Map<string, number>, after: Map<string, number>): { [cmd: string]: number } {
  const d: { [cmd: string]: number } = {};
  for (const [k, v] of after) if (v !== (before.get(k) ?? 0)) d[k] = v - (before.get(k) ?? 0);
  return d;
}

describe('RedisEventBus across three instances', skipWithoutRedis(), () => {
  let redis: TestRedis;
  const fleet: Instance[] = [];
  let probe: RedisConnection;
  const clients: Client[] = [];
  /** What A's listen stream (modern) and A's legacy session received, as `method uri`. */
  const modern: string[] = [];
  const legacy: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => void unhandled.push(e);
  const key = (method: string, params: JsonObject | undefined) =>
    `${method} ${typeof params?.uri === 'string' ? params.uri : ''}`.trim();
  const count = (list: string[], from: number, what: string) => list.slice(from).filter((x) => x === what).length;

  async function instance(name: string): Promise<Instance> {
    const conn = await RedisConnection.connect({ url: redis.url, prefix: 'fleet:', maxReconnectDelayMs: 100 });
    const errors: unknown[] = [];
    const bus = new RedisEventBus(conn, { maxEventBytes: MAX_EVENT, onerror: (e) => void errors.push(e) });
    await bus.ready;
    const mcp = new McpServer({ name, version: '1' }, { events: bus, tasks: { pollIntervalMs: 10 } });
    mcp.registerTool('echo', {}, () => ({ content: [{ type: 'text', text: `echo from ${name}` }] }));
    mcp.registerTool('big', { task: 'always' }, () => ({ content: [{ type: 'text', text: 'x'.repeat(MAX_EVENT) }] }));
    mcp.registerResource('watched', 'app://watched', {}, (uri) => ({ contents: [{ uri, text: 'w' }] }));
    const port = await listenNode(createNodeHandler(mcp));
    return { name, conn, bus, mcp, url: `http://127.0.0.1:${port}/mcp`, errors };
  }

  /** Raise `app://sentinel` on B until A's two streams have it: everything raised before it has arrived too. */
  async function sentinel(): Promise<void> {
    const [m, l] = [modern.length, legacy.length];
    await until(
      () =>
        count(modern, m, 'notifications/resources/updated app://sentinel') > 0 &&
        count(legacy, l, 'notifications/resources/updated app://sentinel') > 0,
      'the sentinel on both streams',
      () => fleet[1]!.mcp.resourceUpdated('app://sentinel'),
    );
  }

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await startRedis();
    for (const name of ['A', 'B', 'C']) fleet.push(await instance(name));
    probe = await RedisConnection.connect({ url: redis.url, prefix: 'probe:', maxReconnectDelayMs: 100 });
    const a = fleet[0]!;

    const mc = new Client({ name: 'modern', version: '1' });
    await mc.connect(new StreamableHttpClientTransport(a.url));
    assert.equal(mc.era, 'modern');
    await mc.subscribe(
      { toolsListChanged: true, resourceSubscriptions: WATCHED },
      (m, p) => void modern.push(key(m, p)),
    );

    const lc = new Client(
      { name: 'legacy', version: '1' },
      { version: 'legacy', onnotification: (m, p) => void legacy.push(key(m, p)) },
    );
    await lc.connect(new StreamableHttpClientTransport(a.url));
    assert.equal(lc.era, 'legacy');
    await lc.subscribe({ toolsListChanged: true, resourceSubscriptions: WATCHED }, () => {});
    clients.push(mc, lc);
    // Until the legacy GET stream is open, nothing reaches it: wait for a primer on both streams.
    await until(
      () =>
        modern.includes('notifications/resources/updated app://primer') &&
        legacy.includes('notifications/resources/updated app://primer'),
      'a primer on both streams',
      () => fleet[1]!.mcp.resourceUpdated('app://primer'),
    );
    await sentinel();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    for (const c of clients) await c.close().catch(() => undefined);
    for (const i of fleet) {
      await i.bus.close();
      await i.conn.close();
    }
    await probe?.close();
    await redis?.close();
  });

  it('delivers a list_changed raised on B, a resources/updated raised on C or on A itself to both streams on A, exactly once', async () => {
    const [m, l] = [modern.length, legacy.length];
    fleet[1]!.mcp.registerTool('added-on-b', {}, () => ({ content: [] })); // the registration path
    await fleet[2]!.mcp.resourceUpdated('app://watched');
    await fleet[2]!.mcp.resourceUpdated('app://other'); // nobody subscribed to it
    await fleet[0]!.mcp.resourceUpdated('app://local'); // raised on A itself: still once, not once more locally
    await sentinel(); // ordered after the three on the channel
    for (const [name, list, from] of [
      ['listen', modern, m],
      ['legacy GET', legacy, l],
    ] as const) {
      assert.equal(count(list, from, 'notifications/tools/list_changed'), 1, `${name}: tools list_changed once`);
      assert.equal(count(list, from, 'notifications/resources/updated app://watched'), 1, `${name}: updated once`);
      assert.equal(count(list, from, 'notifications/resources/updated app://other'), 0, `${name}: unsubscribed URI`);
      assert.equal(count(list, from, 'notifications/resources/updated app://local'), 1, `${name}: raised on A, once`);
    }
  });

  it('carries extension events (notifications/tasks) field for field', async () => {
    const got: ServerEvent[] = [];
    const off = fleet[0]!.bus.subscribe((e) => void got.push(e));
    const event: ServerEvent = {
      type: 'extension',
      method: 'notifications/tasks',
      params: { taskId: 't1', status: 'working', nested: { a: [1, 'two'] } },
      key: 'taskIds',
      value: 't1',
    };
    await fleet[2]!.bus.publish(event);
    await until(() => got.some((e) => e.type === 'extension'), 'the extension event on A');
    off();
    assert.deepEqual(
      got.filter((e) => e.type === 'extension'),
      [event],
    );
  });

  it('costs one round trip per event (a script: log and PUBLISH) and no Redis command on a plain tools/call', async () => {
    let before = await commandCalls(probe);
    await fleet[1]!.mcp.resourceUpdated('app://unwatched');
    assert.deepEqual(delta(before, await commandCalls(probe)), { evalsha: 1, xlen: 1, xadd: 1, publish: 1 });
    before = await commandCalls(probe);
    const r = await clients[0]!.callTool('echo');
    assert.deepEqual(r.content, [{ type: 'text', text: 'echo from A' }]);
    assert.deepEqual(delta(before, await commandCalls(probe)), {});
  });

  it('refuses an oversize event at publish, and a task whose notification is oversize still completes', async () => {
    const huge = `app://${'x'.repeat(MAX_EVENT)}`;
    const refused = fleet[1]!.bus.stats.refused;
    await assert.rejects(fleet[1]!.mcp.resourceUpdated(huge) as Promise<void>, (e: unknown) => {
      assert.ok(e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE', String(e));
      assert.match(e.message, /resources\/updated is \d+ bytes of JSON, over the bus limit of 8192 \(maxEventBytes\)/);
      return true;
    });
    assert.equal(fleet[1]!.bus.stats.refused, refused + 1);
    // The tasks extension raises notifications/tasks with the result inline: over the bound, refused, and the
    // task is not hurt by it (no unhandled rejection, the client still gets the result through tasks/get).
    const tc = new Client({ name: 'tasks', version: '1' }, { tasks: true } as never);
    clients.push(tc);
    await tc.connect(new StreamableHttpClientTransport(fleet[2]!.url));
    const before = fleet[2]!.bus.stats.refused;
    const r = await tc.callTool('big');
    assert.equal((r.content[0] as { text: string }).text.length, MAX_EVENT);
    await until(() => fleet[2]!.bus.stats.refused > before, 'the refused task notification');
    await sleep(50); // let a stray rejection surface
    assert.deepEqual(unhandled, []);
  });

  it('an instance whose subscriber was cut off while Redis stayed up catches up from the log: nothing lost, nothing twice', async () => {
    const a = fleet[0]!;
    // Nothing still on its way to A (a sentinel raised twice may be): A has delivered the log's last event.
    const lastLogged = async () =>
      (
        (await probe.run((c) => c.sendCommand(['XREVRANGE', 'fleet:events:log', '+', '-', 'COUNT', '1']))) as [string][]
      )[0]?.[0];
    const newest = await lastLogged();
    await until(() => a.bus.position === newest, 'A to have delivered everything logged');
    const [m, l, caught, resyncs] = [modern.length, legacy.length, a.bus.stats.caughtUp, a.bus.stats.resyncs];
    // Cut every subscriber off and keep them off (no room for a new connection) while B and C raise events
    // on their command connections, which stay up.
    const clientsNow = (await probe.run((c) => c.sendCommand(['CLIENT', 'LIST']))) as string;
    const room = clientsNow.trim().split('\n').length;
    const pubsub = (await probe.run((c) => c.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']))) as string;
    const subscribers = pubsub.trim().split('\n').length;
    await probe.run((c) => c.sendCommand(['CONFIG', 'SET', 'maxclients', String(room - subscribers)]));
    try {
      await probe.run((c) => c.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']));
      await until(() => fleet.every((i) => !i.bus.subscribed), 'the subscribers to be cut off');
      await fleet[2]!.mcp.resourceUpdated('app://watched');
      fleet[1]!.mcp.registerTool('added-while-cut-off', {}, () => ({ content: [] }));
      assert.equal(fleet[2]!.bus.stats.dropped, 0, 'Redis took them');
    } finally {
      await probe.run((c) => c.sendCommand(['CONFIG', 'SET', 'maxclients', '10000']));
    }
    await until(() => fleet.every((i) => i.bus.subscribed), 'the subscribers to come back');
    await sentinel();
    // At least the two events (a sentinel raised while A's reconnect was being refused is caught up too);
    // that none reached a stream twice is what the counts below check.
    assert.ok(a.bus.stats.caughtUp - caught >= 2, `the two events, from the log (${a.bus.stats.caughtUp - caught})`);
    assert.equal(a.bus.stats.resyncs - resyncs, 1);
    for (const [name, list, from] of [
      ['listen', modern, m],
      ['legacy GET', legacy, l],
    ] as const) {
      assert.equal(count(list, from, 'notifications/resources/updated app://watched'), 1, `${name}: updated once`);
      // One from the log, one from the resync announcement.
      assert.equal(count(list, from, 'notifications/tools/list_changed'), 2, `${name}: tools list_changed`);
    }
  });

  it('since(): the logged events after a position; undefined once the log was trimmed past it or holds a marker', async () => {
    const conn = await RedisConnection.connect({ url: redis.url, prefix: 'since:' });
    const small = new RedisEventBus(conn, { log: { maxLength: 3, maxEventBytes: 200 } });
    try {
      await small.ready;
      const start = small.position!;
      assert.equal(start, '0-0', 'an empty log starts at 0-0');
      await small.publish({ type: 'resources/updated', uri: 'app://1' });
      await small.publish({ type: 'tools/list_changed' });
      const got = await small.since(start);
      assert.deepEqual(
        got?.map((g) => g.event),
        [{ type: 'resources/updated', uri: 'app://1' }, { type: 'tools/list_changed' }],
      );
      assert.deepEqual(await small.since(got![1]!.position), []);
      assert.equal(await small.since('not-a-position'), undefined);
      // Two more: the first event is trimmed away, so its predecessor is no longer a place to catch up from.
      await small.publish({ type: 'resources/updated', uri: 'app://3' });
      await small.publish({ type: 'resources/updated', uri: 'app://4' });
      assert.equal(await small.since(start), undefined);
      assert.equal((await small.since(got![0]!.position))?.length, 3);
      // An event over the log's bound goes out, but leaves a marker: catching up across it is refused.
      const last = (await small.since(got![0]!.position))!.at(-1)!.position;
      await small.publish({ type: 'resources/updated', uri: `app://${'x'.repeat(300)}` });
      assert.equal(await small.since(last), undefined);
    } finally {
      await small.close();
      await conn.close();
    }
  });

  it('comes back by itself after redis-server restarts; events raised while it is down are lost, none crash', async () => {
    await redis.stop();
    await until(() => fleet.every((i) => !i.conn.ready), 'the instances to see Redis gone');
    // Raising while Redis is down: resolves, the event is dropped and reported (no throw, no unhandled rejection).
    const dropped = fleet[2]!.bus.stats.dropped;
    await fleet[2]!.mcp.resourceUpdated('app://watched');
    fleet[1]!.mcp.registerTool('added-during-outage', {}, () => ({ content: [] }));
    assert.equal(fleet[2]!.bus.stats.dropped, dropped + 1);
    const [rm, rl, resyncs] = [modern.length, legacy.length, fleet[0]!.bus.stats.resyncs];
    await redis.restart();
    await until(() => fleet.every((i) => i.conn.ready && i.bus.subscribed), 'the instances to reconnect');
    await sentinel(); // delivered again: the subscriptions came back by themselves
    // What was raised during the outage is lost; instead each stream is told once that the lists may have changed.
    assert.equal(fleet[0]!.bus.stats.resyncs - resyncs, 1);
    for (const [name, list, from] of [
      ['listen', modern, rm],
      ['legacy GET', legacy, rl],
    ] as const) {
      assert.equal(count(list, from, 'notifications/tools/list_changed'), 1, `${name}: one resync list_changed`);
      assert.equal(count(list, from, 'notifications/resources/updated app://watched'), 0, `${name}: outage event lost`);
    }
    const [m, l] = [modern.length, legacy.length];
    fleet[1]!.mcp.registerTool('added-after-restart', {}, () => ({ content: [] }));
    await fleet[2]!.mcp.resourceUpdated('app://watched');
    await sentinel();
    for (const [name, list, from] of [
      ['listen', modern, m],
      ['legacy GET', legacy, l],
    ] as const) {
      assert.equal(count(list, from, 'notifications/tools/list_changed'), 1, `${name}: tools list_changed once`);
      assert.equal(count(list, from, 'notifications/resources/updated app://watched'), 1, `${name}: updated once`);
    }
    assert.deepEqual(unhandled, []);
  });
});
