// Tasks across a fleet: three McpServer instances in this process, each with its own RedisConnection and
// HTTP front on loopback, sharing one redis-server. One tsmcp client whose every POST is routed by method to
// a chosen instance (as a round-robin balancer would, but deterministic): created on A, read on B, input
// answered through C, cancelled through B, a dead owner's task failed by its lease, bounds fleet-wide.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../../src/entries/client.js';
import { McpServer } from '../../../src/entries/server.js';
import { McpError, TsmcpError, type AuthInfo, type JsonObject } from '../../../src/index.js';
import { createNodeHandler } from '../../../src/transports/http/node.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { RedisConnection, RedisTaskCoordinator, RedisTaskStore } from '../../../src/stores/redis/index.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

const LEASE_MS = 600;
const MAX_BYTES = 64 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Wait (at most 400 short sleeps) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400 && !(await done()); i++) await sleep(10);
  assert.ok(await done(), `timed out waiting for ${what}`);
}

interface Instance {
  name: string;
  conn: RedisConnection;
  store: RedisTaskStore;
  coordinator: RedisTaskCoordinator;
  server: McpServer;
  http: HttpServer;
  url: string;
}

describe('tasks across a fleet (Redis)', skipWithoutRedis(), () => {
  let redis: TestRedis;
  const fleet: Instance[] = [];
  const byName = (n: string) => fleet.find((i) => i.name === n)!;
  /** Which instance ran each tool call, and which saw its signal abort. */
  const ran: string[] = [];
  const aborted: string[] = [];
  const gates: (() => void)[] = [];
  const errors: unknown[] = [];

  async function instance(name: string, leaseMs = LEASE_MS): Promise<Instance> {
    const conn = await RedisConnection.connect({ url: redis.url, prefix: 'fleet:', maxReconnectDelayMs: 100 });
    const store = new RedisTaskStore(conn, { maxRecordBytes: MAX_BYTES });
    // No orphan sweep here: this file counts each instance's Redis round trips (task-sweep.test.ts tests it).
    const coordinator = new RedisTaskCoordinator(conn, { leaseMs, sweepMs: 0 });
    const server = new McpServer(
      { name: `fleet-${name}`, version: '1' },
      { tasks: { store, coordinator, pollIntervalMs: 20, maxTasksPerPrincipal: 3 }, onerror: (e) => errors.push(e) },
    );
    server.registerTool('ask', { task: 'always' }, async (_a, ctx) => {
      ran.push(name);
      const a = await ctx.elicit(
        { message: 'name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
        { key: 'who' },
      );
      return { content: [{ type: 'text', text: `hi ${String(a.content?.name)} from ${name}` }] };
    });
    server.registerTool('gated', { task: 'always' }, async (_a, ctx) => {
      ran.push(name);
      await new Promise<void>((resolve) => {
        gates.push(resolve);
        ctx.signal.addEventListener('abort', () => (aborted.push(name), resolve()), { once: true });
      });
      return { content: [{ type: 'text', text: `gated done on ${name}` }] };
    });
    server.registerTool('big', { task: 'always' }, async () => ({
      content: [{ type: 'text', text: 'x'.repeat(2 * MAX_BYTES) }],
    }));
    const http = createServer(
      createNodeHandler(server, {
        authenticate: (req) => {
          const subject = (req.header('authorization') ?? '').replace(/^Bearer /, '');
          if (!subject) throw new Error('no token');
          return { subject, token: 'x' } satisfies AuthInfo;
        },
      }),
    );
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const inst = { name, conn, store, coordinator, server, http, url };
    fleet.push(inst);
    return inst;
  }

  /** A client whose POSTs go to the instance `route` names for their method; `log` records [method, instance, status]. */
  async function client(
    user: string,
    route: (method: string) => string,
    options: { statuses?: JsonObject[]; log?: [string, string, number, string | null][] } = {},
  ): Promise<Client> {
    const routed: typeof fetch = async (_input, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : {};
      const method = body.method ?? '(response)';
      const target = byName(route(method));
      const res = await fetch(target.url, init);
      options.log?.push([method, target.name, res.status, res.headers.get('retry-after')]);
      return res;
    };
    const c = new Client({ name: user, version: '1' }, {
      tasks: { onstatus: (t: JsonObject) => void options.statuses?.push(t) },
      handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) },
    } as never);
    await c.connect(
      new StreamableHttpClientTransport(byName('A').url, {
        fetch: routed,
        headers: { authorization: `Bearer ${user}` },
      }),
    );
    return c;
  }

  before(async () => {
    redis = await startRedis();
    for (const n of ['A', 'B', 'C']) await instance(n);
  });
  after(async () => {
    for (const g of gates.splice(0)) g();
    await sleep(50);
    for (const i of fleet) {
      i.http.closeAllConnections();
      await new Promise((r) => i.http.close(r));
      await i.coordinator.close();
      await i.conn.close();
    }
    await redis?.close();
  });

  it('created on A, read on B, input answered through C reaches the handler on A, result seen on B', async () => {
    const log: [string, string, number, string | null][] = [];
    const route = (m: string) => (m === 'tasks/get' ? 'B' : m === 'tasks/update' ? 'C' : 'A');
    const c = await client('alice', route, { log });
    ran.length = 0;
    const r = await c.callTool('ask', {}, { signal: AbortSignal.timeout(10_000) });
    assert.equal(text(r), 'hi Ada from A');
    assert.deepEqual(ran, ['A'], 'the work ran once, on A');
    assert.ok(
      log.some(([m, i]) => m === 'tasks/update' && i === 'C'),
      'the answer went through C',
    );
    assert.ok(
      log.some(([m, i]) => m === 'tasks/get' && i === 'B'),
      'polled on B',
    );
    await c.close();
  });

  it('tasks/cancel through B aborts the work running on A; the task stays cancelled', async () => {
    const statuses: JsonObject[] = [];
    const c = await client('alice', (m) => (m === 'tasks/cancel' ? 'B' : 'A'), { statuses });
    aborted.length = 0;
    const ac = new AbortController();
    const call = c.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the task to be created');
    ac.abort();
    assert.ok((await call) instanceof TsmcpError);
    await until(() => aborted.includes('A'), "the handler's signal on A to fire");
    const id = String(statuses[0]!.taskId);
    const other = await client('alice', () => 'C');
    assert.equal((await other.request('tasks/get', { taskId: id }, { noCache: true })).status, 'cancelled');
    await c.close();
    await other.close();
  });

  it('cancel racing completion across instances: one terminal status, written once', async () => {
    const [a, b] = [byName('A').store, byName('B').store];
    const now = new Date().toISOString();
    const ids = Array.from({ length: 30 }, (_, i) => `race${i}`);
    for (const id of ids)
      await a.create({
        taskId: id,
        status: 'working',
        createdAt: now,
        lastUpdatedAt: now,
        ttlMs: 60_000,
        principal: 'race',
      });
    const live = ['working', 'input_required'] as const;
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all([
          a.update(id, { status: 'completed', result: { content: [] } }, { ifStatus: live }),
          b.update(id, { status: 'cancelled' }, { ifStatus: live }),
        ]),
      ),
    );
    for (const [i, [done, cancelled]] of outcomes.entries()) {
      assert.equal(Number(!!done) + Number(!!cancelled), 1, `exactly one writer won for ${ids[i]}`);
      const stored = await b.get(ids[i]!);
      assert.equal(stored!.status, done ? 'completed' : 'cancelled');
      // A terminal status is never written again.
      assert.equal(await a.update(ids[i]!, { status: 'failed' }, { ifStatus: live }), undefined);
    }
    const listed = new Set((await b.list()).map((t) => t.taskId));
    assert.ok(
      ids.every((id) => listed.has(id)),
      'list (experimental tasks/list) sees every task',
    );
    for (const id of ids) await a.delete(id);
    assert.equal(await b.get(ids[0]!), undefined);
  });

  it('a cancel whose message never arrives still stops the work: the renewal reads the status', async () => {
    const statuses: JsonObject[] = [];
    const c = await client('alice', () => 'A', { statuses });
    aborted.length = 0;
    const call = c.callTool('gated', {}, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the task');
    // Written straight to the store from B: no pub/sub message to A at all.
    const id = String(statuses[0]!.taskId);
    assert.ok(await byName('B').store.update(id, { status: 'cancelled' }, { ifStatus: ['working'] }));
    await until(() => aborted.includes('A'), 'the work on A to stop');
    assert.ok((await call) instanceof TsmcpError);
    await c.close();
  });

  it('per-principal bound holds across the fleet; cancelled tasks free their slots', async () => {
    let n = 0;
    const order = ['A', 'A', 'B', 'C', 'C'];
    const statuses: JsonObject[] = [];
    const c = await client('bounded', (m) => (m === 'tools/call' ? order[n++]! : 'A'), { statuses });
    const acs = [new AbortController(), new AbortController(), new AbortController()];
    const calls = acs.map((ac) => c.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e));
    await until(() => new Set(statuses.map((s) => s.taskId)).size === 3, 'three tasks');
    const fourth = new AbortController();
    const refusal = setTimeout(() => fourth.abort(), 10_000);
    await assert.rejects(
      c.callTool('gated', {}, { signal: fourth.signal }),
      (e: unknown) => e instanceof McpError && (e.data as { limit?: string }).limit === 'maxTasksPerPrincipal',
    );
    clearTimeout(refusal);
    for (const ac of acs) ac.abort();
    await Promise.all(calls);
    // The client sends tasks/cancel as it gives up: wait until the store has all three cancelled.
    const ids = [...new Set(statuses.map((s) => String(s.taskId)))];
    const cancelled = async () =>
      (await Promise.all(ids.map((taskId) => c.request('tasks/get', { taskId }, { noCache: true })))).every(
        (t) => t.status === 'cancelled',
      );
    await until(cancelled, 'the three tasks cancelled');
    // The cancels freed the owner's slots on every instance: a new task is accepted (on C).
    const ac = new AbortController();
    const before = statuses.length;
    let outcome: unknown = 'pending';
    const again = c.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e);
    void again.then((v) => (outcome = v));
    await until(() => statuses.length > before || outcome !== 'pending', 'a task after the cancels');
    assert.ok(statuses.length > before, `the task after the cancels was refused: ${String(outcome)}`);
    ac.abort();
    await again;
    await c.close();
  });

  it('a forged or foreign task id is answered like an unknown one', async () => {
    const statuses: JsonObject[] = [];
    const alice = await client('alice', () => 'A', { statuses });
    const ac = new AbortController();
    const call = alice.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the task');
    const id = String(statuses[0]!.taskId);
    const bob = await client('bob', () => 'B');
    const unknown = (e: unknown) => e instanceof McpError && e.code === -32602 && /Unknown task/.test(e.message);
    for (const taskId of [id, 'no-such-task', 'x:lease', `${id}:x`, '*', 'a'.repeat(5000)]) {
      await assert.rejects(bob.request('tasks/get', { taskId }, { noCache: true }), unknown, taskId.slice(0, 40));
      await assert.rejects(bob.request('tasks/cancel', { taskId }), unknown);
      await assert.rejects(bob.request('tasks/update', { taskId, inputResponses: {} }), unknown);
    }
    assert.equal((await alice.request('tasks/get', { taskId: id }, { noCache: true })).status, 'working');
    ac.abort();
    await call;
    await alice.close();
    await bob.close();
  });

  it('an oversize result is refused: the task ends failed with maxRecordBytes', async () => {
    const c = await client('alice', (m) => (m === 'tasks/get' ? 'C' : 'B'));
    await assert.rejects(
      c.callTool('big', {}, { signal: AbortSignal.timeout(10_000) }),
      (e: unknown) => e instanceof McpError && (e.data as { limit?: string })?.limit === 'maxRecordBytes',
    );
    await c.close();
  });

  it('when the instance running a task dies, the task ends failed within the lease; a slow live one does not', async () => {
    const d = await instance('D');
    const statuses: JsonObject[] = [];
    const c = await client('alice', (m) => (m === 'tools/call' && statuses.length === 0 ? 'D' : 'A'), { statuses });
    const dying = c.callTool('gated', {}, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the task on D');
    const deadId = String(statuses[0]!.taskId);
    // A slow task on A, alive for several leases: its owner's timer keeps renewing.
    const slowStatuses: JsonObject[] = [];
    const ss = await client('carol', () => 'A', { statuses: slowStatuses });
    const ac = new AbortController();
    const slowCall = ss.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e);
    await until(() => slowStatuses.length > 0, 'the slow task');
    // D "dies": no more renewals, no more Redis; its handler never returns.
    await d.coordinator.close();
    await d.conn.close();
    const r = (await dying) as McpError;
    assert.ok(r instanceof McpError, String(r));
    assert.match(r.message, /instance running this task stopped/);
    const b = await client('alice', () => 'B');
    const t = await b.request('tasks/get', { taskId: deadId }, { noCache: true });
    assert.equal(t.status, 'failed');
    await sleep(LEASE_MS * 2);
    const carolB = await client('carol', () => 'B');
    const slowId = String(slowStatuses[0]!.taskId);
    assert.equal((await carolB.request('tasks/get', { taskId: slowId }, { noCache: true })).status, 'working');
    ac.abort();
    await slowCall;
    for (const x of [c, ss, b, carolB]) await x.close();
    d.http.closeAllConnections();
  });

  it('Redis round trips: create 2, poll of a live task elsewhere 2 (1 once terminal), cancel elsewhere 4', async () => {
    // E renews its leases rarely, so no renewal lands inside a measured operation.
    const e = await instance('E', 60_000);
    const runs = new Map<string, number>();
    for (const i of [e, byName('B'), byName('C')]) {
      const run = i.conn.run.bind(i.conn);
      runs.set(i.name, 0);
      i.conn.run = ((fn: never) => (runs.set(i.name, runs.get(i.name)! + 1), run(fn))) as typeof i.conn.run;
    }
    const statuses: JsonObject[] = [];
    let created = -1;
    const c = await client('rt', (m) => (m === 'tools/call' ? 'E' : 'A'), {
      statuses: new Proxy(statuses, {
        get: (t, k) => (k === 'push' && created < 0 ? ((created = runs.get('E')!), t.push.bind(t)) : Reflect.get(t, k)),
      }),
    });
    const ac = new AbortController();
    const call = c.callTool('gated', {}, { signal: ac.signal }).catch((x: unknown) => x);
    await until(() => statuses.length > 0, 'the task on E');
    assert.equal(created, 2, 'create: claim the lease, then the create script');
    const id = String(statuses[0]!.taskId);
    const other = await client('rt', (m) => (m === 'tasks/cancel' ? 'C' : 'B'));
    const at = (n: string) => runs.get(n)!;
    let b0 = at('B');
    assert.equal((await other.request('tasks/get', { taskId: id }, { noCache: true })).status, 'working');
    assert.equal(at('B') - b0, 2, 'poll of a live task on another instance: the record, then its lease');
    const c0 = at('C');
    await other.request('tasks/cancel', { taskId: id });
    assert.equal(at('C') - c0, 4, 'cancel elsewhere: record, lease, compare-and-set, signal to the owner');
    b0 = at('B');
    assert.equal((await other.request('tasks/get', { taskId: id }, { noCache: true })).status, 'cancelled');
    assert.equal(at('B') - b0, 1, 'poll of a finished task: the record only');
    await until(() => aborted.includes('E'), 'the work on E to stop');
    ac.abort();
    await call;
    await c.close();
    await other.close();
  });

  it('Redis down during tasks/get: HTTP 503 with Retry-After, the instance stays up and recovers', async () => {
    const log: [string, string, number, string | null][] = [];
    const statuses: JsonObject[] = [];
    const c = await client('alice', () => 'B', { log, statuses });
    const ac = new AbortController();
    const call = c.callTool('gated', {}, { signal: ac.signal }).catch((e: unknown) => e);
    await until(() => statuses.length > 0, 'the task');
    const id = String(statuses[0]!.taskId);
    await redis.stop({ kill: true });
    await until(() => !byName('B').conn.ready, 'B to notice');
    await assert.rejects(c.request('tasks/get', { taskId: id }, { noCache: true }));
    const refused = log.find(([m, , status]) => m === 'tasks/get' && status === 503);
    assert.ok(refused, JSON.stringify(log.slice(-3)));
    assert.equal(refused[3], '2');
    for (const g of gates.splice(0)) g(); // work finishing during the outage must not crash anything
    await sleep(50);
    await redis.restart();
    // Without persistence the restarted Redis is empty: "unknown task" (not 503) means B serves again.
    await until(async () => {
      try {
        return TERMINAL.has(String((await c.request('tasks/get', { taskId: id }, { noCache: true })).status));
      } catch (e) {
        return e instanceof McpError && e.code === -32602;
      }
    }, 'B to serve again');
    ac.abort();
    await call;
    await c.close();
  });
});
