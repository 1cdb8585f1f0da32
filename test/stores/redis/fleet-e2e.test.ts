// End to end: three tsmcp processes (test/fixtures/fleet-server.ts) behind the round-robin proxy, one real
// redis-server. Tasks read, answered and cancelled through other instances; change events raised on one
// instance reach listen and legacy GET streams on another, once; legacy sessions without affinity; bad input
// refused. Which instance served what comes from the proxy's log and from instance ids in the answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client, type ClientOptions } from '../../../src/entries/client.js';
import { McpError, TsmcpError, type JsonObject } from '../../../src/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { startFleet, type TestFleet } from '../../helpers/fleet.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';
import { type ProxiedRequest, startRoundRobinProxy, type RoundRobinProxy } from '../../helpers/round-robin-proxy.js';

const KEY = 'fleet-e2e1-shared-key-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const textOf = (r: { content: unknown[] }) => String((r.content[0] as { text?: unknown }).text);

/** Wait (at most 500 short sleeps) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500 && !(await done()); i++) await sleep(20);
  assert.ok(await done(), `timed out waiting for ${what}`);
}

describe('fleet end to end: three processes, a round-robin proxy, redis-server', skipWithoutRedis(), () => {
  let redis: TestRedis;
  let fleet: TestFleet;
  let proxy: RoundRobinProxy;
  const clients: { close(): Promise<void> }[] = [];
  before(async () => {
    redis = await startRedis();
    fleet = await startFleet(3, { REDIS_URL: redis.url, FLEET_KEY: KEY });
    proxy = await startRoundRobinProxy(fleet.urls);
  });
  after(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => {});
    await proxy?.close();
    await fleet?.close();
    await redis?.close();
  });

  /** A tsmcp client as `user` (bearer token = subject), through the proxy unless `url` is given. */
  async function tsmcp(user: string, options: ClientOptions = {}, url = proxy.url()): Promise<Client> {
    const c = new Client({ name: `e2e-${user}`, version: '1' }, {
      handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) },
      tasks: {},
      ...options,
    } as ClientOptions);
    await c.connect(new StreamableHttpClientTransport(new URL(url), { headers: { authorization: `Bearer ${user}` } }));
    clients.push(c);
    return c;
  }

  /** The proxy's log from `start` on, for one JSON-RPC method. */
  const served = (start: number, rpc: string): ProxiedRequest[] => proxy.log.slice(start).filter((e) => e.rpc === rpc);

  /** What e1_hold recorded fleet-wide (`instance:tag` entries). */
  async function status(c: Client): Promise<{ started: string[]; aborted: string[] }> {
    return JSON.parse(textOf(await c.callTool('e1_status', {}, { noCache: true })));
  }

  /**
   * A tsmcp client with the tasks option whose task, once created, is kept away from its owner: the
   * proxy stops sending to the instance that answered the tools/call until `release()`.
   */
  async function taskClient(user: string) {
    const statuses: JsonObject[] = [];
    let start = proxy.log.length;
    let owner: number | undefined;
    const c = await tsmcp(user, {
      tasks: {
        onstatus: (t: JsonObject) => {
          if (owner === undefined) {
            owner = served(start, 'tools/call')[0]!.upstream;
            proxy.remove(owner);
          }
          statuses.push(t);
        },
      },
    } as ClientOptions);
    return {
      c,
      statuses,
      get owner() {
        return owner;
      },
      /** Marks where the next task's log starts. */
      mark: () => ((start = proxy.log.length), (owner = undefined), (statuses.length = 0), start),
      release: () => owner !== undefined && proxy.restore(owner),
    };
  }

  describe('1. tasks', () => {
    it('created through the proxy; its input answered and its result read only through the other two', async () => {
      const t = await taskClient('alice');
      const start = t.mark();
      try {
        const r = await t.c.callTool('e1_ask', { tag: 't1' }, { signal: AbortSignal.timeout(20_000) });
        const owner = t.owner!;
        assert.equal(textOf(r), `Ada answered in a task on ${owner}:t1`, 'the work ran where the task was created');
        const after = proxy.log.slice(start + 1);
        assert.ok(
          after.some((e) => e.rpc === 'tasks/update'),
          'the answer went through tasks/update',
        );
        assert.ok(
          after.some((e) => e.rpc === 'tasks/get'),
          'polled',
        );
        assert.ok(
          after.every((e) => e.upstream !== owner),
          `after creation, nothing reached the owner: ${JSON.stringify(after)}`,
        );
        assert.deepEqual(new Set(after.map((e) => e.upstream)).size, 2, 'both other instances served');
      } finally {
        t.release();
      }
      // The finished task read from each instance directly: completed, the same result everywhere.
      const taskId = String(t.statuses[0]!.taskId);
      for (const inst of fleet.instances) {
        const direct = await tsmcp('alice', {}, inst.url);
        const got = await direct.request('tasks/get', { taskId }, { noCache: true });
        assert.equal(got.status, 'completed');
        assert.match(JSON.stringify(got.result), /Ada answered in a task on \d:t1/);
      }
    });

    it('tasks/cancel through another instance reaches the work: its signal fires where it runs', async () => {
      const t = await taskClient('alice');
      const start = t.mark();
      const ac = new AbortController();
      const call = t.c.callTool('e1_hold', { tag: 'c1' }, { signal: ac.signal }).catch((e: unknown) => e);
      let owner: number;
      try {
        await until(() => t.statuses.length > 0, 'the task');
        owner = t.owner!;
        const reader = await tsmcp('alice');
        await until(
          async () => (await status(reader)).started.includes(`${owner}:c1`),
          'the work to start on its owner',
        );
        ac.abort();
        assert.ok((await call) instanceof TsmcpError);
        // The client sends its cancel without waiting for the answer.
        await until(() => served(start, 'tasks/cancel').length > 0, 'the cancel');
        const cancels = served(start, 'tasks/cancel');
        assert.equal(cancels.length, 1);
        assert.notEqual(cancels[0]!.upstream, owner, 'cancelled through another instance');
        await until(
          async () => (await status(reader)).aborted.includes(`${owner}:c1`),
          "the handler's signal on the owner",
        );
      } finally {
        t.release();
      }
      const taskId = String(t.statuses[0]!.taskId);
      for (const inst of fleet.instances) {
        const direct = await tsmcp('alice', {}, inst.url);
        assert.equal((await direct.request('tasks/get', { taskId }, { noCache: true })).status, 'cancelled');
      }
    });
  });

  describe('2. change events across instances', () => {
    /** A modern client on instance `i` directly, to raise changes there. */
    const raiser = (i: number) => tsmcp('ops', {}, fleet.instances[i]!.url);

    /**
     * Raises a tools list change on `a` and an update of e1://res/a on `b`, waits for both, then a
     * sentinel update of e1://res/b (raised after them, so any duplicate would arrive before it) and
     * checks each arrived exactly once.
     */
    async function raiseAndCount(events: [string, JsonObject][], a: number, b: number): Promise<void> {
      const count = (method: string, uri?: string) =>
        events.filter(([m, p]) => m === method && (uri === undefined || p.uri === uri)).length;
      events.length = 0;
      assert.match(textOf(await (await raiser(a)).callTool('e1_change')), new RegExp(`^${a}:e1_dyn_`));
      assert.equal(textOf(await (await raiser(b)).callTool('e1_touch', { uri: 'e1://res/a' })), `${b}:touched`);
      await until(
        () =>
          count('notifications/tools/list_changed') > 0 && count('notifications/resources/updated', 'e1://res/a') > 0,
        `the list change and the update: ${JSON.stringify(events)} ${JSON.stringify(proxy.log.slice(-12))}`,
      );
      await (await raiser(b)).callTool('e1_touch', { uri: 'e1://res/b' });
      await until(
        () => count('notifications/resources/updated', 'e1://res/b') > 0,
        `the sentinel: ${JSON.stringify(events)} ${JSON.stringify(proxy.log.slice(-12))}`,
      );
      assert.equal(count('notifications/tools/list_changed'), 1, JSON.stringify(events));
      assert.equal(count('notifications/resources/updated', 'e1://res/a'), 1, JSON.stringify(events));
    }

    const FILTER = { toolsListChanged: true, resourceSubscriptions: ['e1://res/a', 'e1://res/b'] };

    it('2026-07-28: a subscriptions/listen stream on one instance gets changes raised on the other two, once', async () => {
      const c = await tsmcp('listener');
      const start = proxy.log.length;
      const events: [string, JsonObject][] = [];
      const sub = await c.subscribe(FILTER, (m, p) => events.push([m, p]));
      const [listen] = served(start, 'subscriptions/listen');
      assert.ok(listen, 'the listen went through the proxy');
      const others = [0, 1, 2].filter((i) => i !== listen.upstream);
      await raiseAndCount(events, others[0]!, others[1]!);
      await sub.close();
    });

    it('legacy tsmcp client: the session GET stream on one instance gets changes raised on the other two, once', async () => {
      const start = proxy.log.length;
      const events: [string, JsonObject][] = [];
      const c = await tsmcp('legacy-listener', {
        version: 'legacy',
        onnotification: (m, p) => events.push([m, p ?? {}]),
      });
      assert.equal(c.era, 'legacy');
      const sub = await c.subscribe(FILTER, () => {});
      await until(() => proxy.log.slice(start).some((e) => e.http === 'GET'), 'the GET stream');
      const get = proxy.log.slice(start).find((e) => e.http === 'GET')!;
      const others = [0, 1, 2].filter((i) => i !== get.upstream);
      await raiseAndCount(events, others[0]!, others[1]!);
      await sub.close();
    });

    it('official v2 client (legacy): its GET stream gets a change raised on another instance, once', async () => {
      const start = proxy.log.length;
      const events: [string, JsonObject][] = [];
      const c = new V2Client({ name: 'official-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
      for (const m of ['notifications/tools/list_changed', 'notifications/resources/updated'] as const)
        c.setNotificationHandler(m, (n: { params?: unknown }) => void events.push([m, (n.params ?? {}) as JsonObject]));
      await c.connect(new V2Http(new URL(proxy.url()), { requestInit: { headers: { authorization: 'Bearer v2' } } }));
      clients.push(c);
      const x = c as unknown as { subscribeResource(p: { uri: string }): Promise<unknown> };
      for (const uri of FILTER.resourceSubscriptions) await x.subscribeResource({ uri });
      await until(() => proxy.log.slice(start).some((e) => e.http === 'GET'), 'the GET stream');
      const get = proxy.log.slice(start).find((e) => e.http === 'GET')!;
      const others = [0, 1, 2].filter((i) => i !== get.upstream);
      await raiseAndCount(events, others[0]!, others[1]!);
    });
  });

  describe('3. legacy sessions round-robin', () => {
    /** The instance that answered the `ask` call, and the one that got the client's answer to its elicitation. */
    function askHops(start: number): [number, number][] {
      const log = proxy.log.slice(start).filter((e) => e.http === 'POST');
      return log.flatMap((e, k) => (e.rpc === 'response' && k > 0 ? [[log[k - 1]!.upstream, e.upstream]] : []));
    }

    it('tsmcp client (legacy): calls land on all three and work; an elicitation answered on another instance', async () => {
      const start = proxy.log.length;
      const c = await tsmcp('legacy-user', { version: 'legacy' });
      assert.equal(c.era, 'legacy');
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(textOf(await c.callTool('whoami')));
      assert.deepEqual([...seen].sort(), ['0', '1', '2']);
      for (let i = 0; i < 3; i++) assert.match(textOf(await c.callTool('ask')), /^Ada answered on \d$/);
      // An answer POST's 202 may come after the tool's result it led to.
      await until(() => askHops(start).length === 3, `three answers: ${JSON.stringify(proxy.log.slice(start))}`);
      const hops = askHops(start);
      for (const [asked, answered] of hops) assert.notEqual(asked, answered, 'the answer went to another instance');
      assert.equal(served(start, 'initialize').length, 1);
    });

    it('official v2 client (legacy): calls land on all three and work; an elicitation answered on another instance', async () => {
      const start = proxy.log.length;
      const c = new V2Client(
        { name: 'official-v2', version: '1.0.0' },
        { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
      );
      c.setRequestHandler('elicitation/create', async () => ({ action: 'accept' as const, content: { name: 'Bo' } }));
      await c.connect(new V2Http(new URL(proxy.url()), { requestInit: { headers: { authorization: 'Bearer v2b' } } }));
      clients.push(c);
      const x = c as unknown as { callTool(p: { name: string; arguments: object }): Promise<{ content: unknown[] }> };
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(textOf(await x.callTool({ name: 'whoami', arguments: {} })));
      assert.deepEqual([...seen].sort(), ['0', '1', '2']);
      for (let i = 0; i < 3; i++)
        assert.match(textOf(await x.callTool({ name: 'ask', arguments: {} })), /^Bo answered on \d$/);
      // An answer POST's 202 may come after the tool's result it led to.
      await until(() => askHops(start).length === 3, `three answers: ${JSON.stringify(proxy.log.slice(start))}`);
      const hops = askHops(start);
      for (const [asked, answered] of hops) assert.notEqual(asked, answered, 'the answer went to another instance');
    });
  });

  describe('4. bad input through the proxy', () => {
    const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(proxy.url(), { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

    /** A raw legacy session of `user` through the proxy: its headers. */
    async function openLegacy(user: string): Promise<Record<string, string>> {
      const auth = { authorization: `Bearer ${user}` };
      const init = await post(auth, {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      assert.equal(init.status, 200);
      await init.text();
      const h = {
        ...auth,
        'mcp-session-id': init.headers.get('mcp-session-id')!,
        'mcp-protocol-version': '2025-11-25',
      };
      assert.equal((await post(h, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
      return h;
    }

    it("a forged task id and another principal's task id are unknown on every instance; the owner's task is unharmed", async () => {
      const alice = await taskClient('alice');
      alice.mark();
      const ac = new AbortController();
      const running = alice.c.callTool('e1_hold', { tag: 'p1' }, { signal: ac.signal }).catch((e: unknown) => e);
      try {
        await until(() => alice.statuses.length > 0, 'the task');
      } finally {
        alice.release();
      }
      const taskId = String(alice.statuses[0]!.taskId);
      const bob = await tsmcp('bob');
      const anon = new Client({ name: 'anon', version: '1' }, { tasks: {} } as ClientOptions);
      await anon.connect(new StreamableHttpClientTransport(new URL(proxy.url())));
      clients.push(anon);
      const unknown = (e: unknown) => e instanceof McpError && e.code === -32602 && /Unknown task/.test(e.message);
      const start = proxy.log.length;
      for (const who of [bob, anon])
        for (const id of [taskId, 'forged-task-id', `${taskId}x`, '*']) {
          for (let i = 0; i < 3; i++)
            await assert.rejects(who.request('tasks/get', { taskId: id }, { noCache: true }), unknown, id);
          await assert.rejects(who.request('tasks/cancel', { taskId: id }), unknown);
          await assert.rejects(who.request('tasks/update', { taskId: id, inputResponses: {} }), unknown);
        }
      assert.equal(new Set(served(start, 'tasks/get').map((e) => e.upstream)).size, 3, 'refused on every instance');
      const reader = await tsmcp('alice');
      assert.equal((await reader.request('tasks/get', { taskId }, { noCache: true })).status, 'working');
      assert.ok(!(await status(reader)).aborted.some((s) => s.endsWith(':p1')), 'nobody else cancelled it');
      ac.abort();
      await running;
    });

    it('a legacy session id of another principal is 404 on every instance; the session is unharmed', async () => {
      const h = await openLegacy('carol');
      const start = proxy.log.length;
      for (let i = 0; i < 3; i++) {
        assert.equal((await post({ ...h, authorization: 'Bearer mallory' }, call)).status, 404);
        assert.equal((await post({ ...h, authorization: '' }, call)).status, 404, 'anonymous');
      }
      assert.equal(new Set(proxy.log.slice(start).map((e) => e.upstream)).size, 3);
      const ok = await post(h, call);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /"text":"\d"/);
    });

    it('a Last-Event-ID of another session is 400 on every instance', async () => {
      const one = await openLegacy('dora');
      const two = await openLegacy('dora');
      const drop = new AbortController();
      const get = await fetch(proxy.url(), {
        headers: { ...one, accept: 'text/event-stream' },
        signal: drop.signal,
      });
      assert.equal(get.status, 200);
      const reader = get.body!.getReader();
      let buf = '';
      for (let i = 0; i < 20 && !/^id: /m.test(buf); i++) buf += new TextDecoder().decode((await reader.read()).value);
      const eventId = /^id: (.*)$/m.exec(buf)?.[1];
      assert.ok(eventId, `the priming event: ${buf}`);
      drop.abort();
      await reader.cancel().catch(() => {});
      for (let i = 0; i < 3; i++) {
        const r: Response = await fetch(proxy.url(), {
          headers: { ...two, accept: 'text/event-stream', 'last-event-id': eventId },
        });
        assert.equal(r.status, 400);
        await r.text();
      }
    });

    it('a task result over the store record limit ends the task failed (maxRecordBytes)', async () => {
      const c = await tsmcp('erin');
      await assert.rejects(
        c.callTool('e1_big', {}, { signal: AbortSignal.timeout(20_000) }),
        (e: unknown) => e instanceof McpError && (e.data as { limit?: string })?.limit === 'maxRecordBytes',
      );
    });

    // The node front answers 413 with `Connection: close` and then lingers (RFC 9112 §9.6), reading and
    // dropping what the client still sends, so the proxy writing the body reads the 413 instead of a reset.
    it('a request body over maxBodyBytes is 413 on every instance', async () => {
      const big = { ...call, params: { name: 'echo', arguments: { text: 'x'.repeat(4 * 1024 * 1024 + 1) } } };
      const start = proxy.log.length;
      for (let i = 0; i < 3; i++) {
        const r = await post({ 'mcp-protocol-version': '2026-07-28' }, big);
        assert.equal(r.status, 413);
        await r.text();
      }
      assert.equal(new Set(proxy.log.slice(start).map((e) => e.upstream)).size, 3);
    });

    it('every instance is still up and serving', async () => {
      for (const [i, inst] of fleet.instances.entries()) {
        assert.equal(inst.child.exitCode, null);
        assert.equal(inst.child.signalCode, null);
        const direct = await tsmcp('zed', {}, inst.url);
        assert.equal(textOf(await direct.callTool('whoami')), String(i));
      }
    });
  });
});
