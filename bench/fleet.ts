// Fleet section of `npm run bench` (alone: `npm run bench:fleet`): one tsmcp instance with in-memory stores
// vs three instances sharing Redis (redisFleet) behind a round-robin proxy, plus Redis work per request.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { post } from './http.js';
import { type RedisCounter, redisCounter } from './redis-count.js';
import { REDIS_HINT, redisOnPath, startRedis } from './redis-server.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const REQUESTS = Number(process.env.BENCH_FLEET_REQUESTS ?? 3000);
const ROUND_TRIPS = Number(process.env.BENCH_FLEET_TASKS ?? 600);
/** Requests in each window whose Redis commands are counted (sequential, through the proxy). */
const PROBE = Number(process.env.BENCH_FLEET_PROBE ?? 60);
const CONNECTIONS = [16, 64];
/** tasks/get per task round trip at most: a task that takes longer fails the run. */
const MAX_POLLS = 1000;
const START_TIMEOUT_MS = 20_000;

const TASKS_CAPS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const meta = (caps: object) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': caps,
});
const PLAIN = meta({});
const TASKS = meta(TASKS_CAPS);

type Json = { [k: string]: unknown };
/** Where a request goes: the proxy's port, and `/mcp` (round robin) or `/upstream/<i>/mcp` (instance i). */
interface Target {
  port: number;
  path: string;
}
let ids = 0;

/** One modern request through `agent`; its JSON-RPC result (a JSON or an SSE answer). */
async function rpc(agent: Agent, at: Target, method: string, params: Json, name?: string): Promise<Json> {
  const headers: Record<string, string> = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method };
  if (name) headers['mcp-name'] = name;
  const r = await post(agent, at.port, JSON.stringify({ jsonrpc: '2.0', id: ++ids, method, params }), headers, at.path);
  if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  const body = r.text.trimStart().startsWith('{')
    ? r.text
    : r.text
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .pop()!
        .slice(5);
  const m = JSON.parse(body) as { result?: Json; error?: unknown };
  if (!m.result) throw new Error(`${method}: ${JSON.stringify(m.error)}`);
  return m.result;
}

const toolsCall = (agent: Agent, at: Target) =>
  rpc(agent, at, 'tools/call', { _meta: PLAIN, name: 'echo', arguments: { text: 'hi' } }, 'echo');

const createTask = async (agent: Agent, at: Target, tool: string) => {
  const t = await rpc(agent, at, 'tools/call', { _meta: TASKS, name: tool, arguments: {} }, tool);
  if (t.resultType !== 'task') throw new Error(`${tool}: expected a task, got ${JSON.stringify(t).slice(0, 200)}`);
  return t;
};
const getTask = (agent: Agent, at: Target, taskId: unknown) =>
  rpc(agent, at, 'tasks/get', { _meta: TASKS, taskId }, String(taskId));

/** Create a task of the trivial tool, poll tasks/get (no waiting) until completed, read its result; returns the polls. */
async function taskRoundTrip(agent: Agent, at: Target): Promise<number> {
  let t = await createTask(agent, at, 'job');
  let polls = 0;
  while (t.status !== 'completed') {
    if (t.status === 'failed' || t.status === 'cancelled') throw new Error(`task ${t.status}: ${JSON.stringify(t)}`);
    if (++polls > MAX_POLLS) throw new Error(`task ${String(t.taskId)} not completed after ${MAX_POLLS} polls`);
    t = await getTask(agent, at, t.taskId);
  }
  if (!t.result) throw new Error(`task ${String(t.taskId)} completed without a result`);
  return polls;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** Mean of what `op` returned (polls per task round trip). */
  extra: number;
}

/** `total` operations over `connections` keep-alive sockets (after a short warm-up). */
async function load(
  port: number,
  connections: number,
  total: number,
  op: (a: Agent, at: Target) => Promise<unknown>,
): Promise<Figures> {
  const at: Target = { port, path: '/mcp' };
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  try {
    await Promise.all(Array.from({ length: connections }, () => op(agent, at))); // warm-up, sockets open
    const latencies: number[] = [];
    let next = 0;
    let extra = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < total) {
          next++;
          const s = performance.now();
          const r = await op(agent, at);
          latencies.push(performance.now() - s);
          if (typeof r === 'number') extra += r;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rps: total / seconds,
      p50: latencies[Math.floor(latencies.length / 2)]!,
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
      extra: extra / total,
    };
  } finally {
    agent.destroy();
  }
}

/** Child processes of this section, killed on every way out (error, Ctrl-C, exit). */
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
};

/** Forks a bench server script and waits (bounded) for the port it reports. */
function startChild(script: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const proc = fork(here(script), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(proc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    proc.once('message', (m: { port: number }) => (clearTimeout(timer), resolve(m.port)));
    proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${script} ${args[0]} exited (${code})`))));
  });
}

const setup = async (servers: number[]) => startChild('./servers/proxy.js', servers.map(String));

/** Redis commands and round trips per operation over `n` sequential operations (after background work settles). */
async function perRequest(counter: RedisCounter, n: number, op: (i: number) => Promise<unknown>) {
  const settle = () => new Promise((r) => setTimeout(r, 200));
  await settle();
  const before = await counter.snapshot();
  for (let i = 0; i < n; i++) await op(i);
  await settle();
  const d = counter.delta(before, await counter.snapshot());
  const per = (x: number) => x / n;
  const top = Object.entries(d.byCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([c, k]) => `${c} ${per(k).toFixed(1)}`)
    .join(', ');
  return { commands: per(d.commands), roundTrips: per(d.roundTrips), top };
}

/** Redis work per request on B, each kind in its own counted window; `pin(i)` reaches instance i only. */
async function redisWork(port: number, counter: RedisCounter) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const rr: Target = { port, path: '/mcp' };
  const pin = (i: number): Target => ({ port, path: `/upstream/${i}/mcp` });
  const count = (n: number, op: (i: number) => Promise<unknown>) => perRequest(counter, n, op);
  const create = async (tool: string) => {
    const out: Json[] = [];
    for (let i = 0; i < PROBE; i++) out.push(await createTask(agent, pin(0), tool));
    return out;
  };
  try {
    const rows: [string, string, Awaited<ReturnType<typeof perRequest>>][] = [];
    rows.push(['plain modern tools/call (round robin)', '0', await count(PROBE, () => toolsCall(agent, rr))]);
    // Before the `hold` tasks exist: their completions would land in this window.
    rows.push([
      'task round trip (round robin; create to result)',
      '–',
      await count(PROBE, () => taskRoundTrip(agent, rr)),
    ]);
    const done = await create('job');
    for (const t of done)
      for (let polls = 0; (await getTask(agent, pin(0), t.taskId)).status !== 'completed'; polls++)
        if (polls >= MAX_POLLS) throw new Error(`task ${String(t.taskId)} not completed after ${MAX_POLLS} polls`);
    const poll = (tasks: Json[], on: number) => count(PROBE, (i) => getTask(agent, pin(on), tasks[i]!.taskId));
    rows.push(['tasks/get, completed task, other instance', '≤ 2', await poll(done, 1)]);
    // `hold` tasks stay working for HOLD_MS (1.5 s), longer than creating and polling them takes here.
    const live = await create('hold');
    rows.push(['tasks/get, working task, other instance', '≤ 2', await poll(live, 1)]);
    rows.push(['tasks/get, working task, its own instance', '≤ 2', await poll(live, 0)]);
    return rows;
  } finally {
    agent.destroy();
  }
}

const HEADER = `
Fleet: A = one tsmcp instance, in-memory stores; B = three instances (separate processes) sharing one
redis-server through redisFleet(). Both are reached through the same round-robin proxy process (one
upstream for A, three for B), so the difference is the fleet, not the proxy hop. Workloads, 2026-07-28
wire, keep-alive connections: a tools/call of a trivial tool; a task round trip (task-augmented tools/call,
tasks/get polled without waiting until completed, result read), latency from create to result. Everything
(loader, proxy, instances, Redis) shares this machine's cores: compare A with B, not with other machines.`;

/** Runs the fleet section and prints it; a line instead when redis-server is missing. */
export async function runFleet(): Promise<void> {
  if (!redisOnPath()) {
    console.log(`\nFleet section skipped: redis-server is not on PATH; install it (${REDIS_HINT}).`);
    return;
  }
  console.log(HEADER);
  const redis = await startRedis();
  let counter: RedisCounter | undefined;
  const cleanup = () => {
    killAll();
    counter?.close();
    redis.close();
  };
  const onSignal = () => (cleanup(), process.exit(130));
  process.once('exit', cleanup);
  process.once('SIGINT', onSignal);
  try {
    const rows: { [metric: string]: number[] } = {};
    const put = (m: string, v: number) => (rows[m] ??= []).push(v);
    const configs = [
      { name: 'A', servers: async () => [await startChild('./servers/fleet.js', ['memory'])] },
      {
        name: 'B',
        servers: async () => {
          const env = { REDIS_URL: redis.url, FLEET_KEY: randomBytes(24).toString('hex') };
          return Promise.all([0, 1, 2].map(() => startChild('./servers/fleet.js', ['redis'], env)));
        },
      },
    ];
    let redisRows: Awaited<ReturnType<typeof redisWork>> = [];
    for (const c of configs) {
      process.stderr.write(`benchmarking fleet ${c.name}…\n`);
      const port = await setup(await c.servers());
      for (const n of CONNECTIONS) {
        const r = await load(port, n, REQUESTS, toolsCall);
        put(`tools/call ×${n} (req/s)`, r.rps);
        put(`tools/call ×${n} p50 (ms)`, r.p50);
        put(`tools/call ×${n} p99 (ms)`, r.p99);
      }
      for (const n of CONNECTIONS) {
        const r = await load(port, n, ROUND_TRIPS, taskRoundTrip);
        put(`task round trip ×${n} (round trips/s)`, r.rps);
        put(`task round trip ×${n} p50 (ms)`, r.p50);
        put(`task round trip ×${n} p99 (ms)`, r.p99);
        put(`task round trip ×${n} tasks/get per round trip`, r.extra);
      }
      if (c.name === 'B') {
        counter = await redisCounter(redis.port);
        redisRows = await redisWork(port, counter);
      }
      killAll();
    }
    print(rows, redisRows);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('exit', cleanup);
    cleanup();
  }
}

function print(rows: { [metric: string]: number[] }, redisRows: Awaited<ReturnType<typeof redisWork>>) {
  const w = Math.max(...Object.keys(rows).map((k) => k.length));
  console.log(`\n${'metric'.padEnd(w)}  ${'A: one'.padStart(10)}${'B: three'.padStart(10)}    B/A`);
  for (const [metric, [a, b]] of Object.entries(rows)) {
    const digits = metric.includes('/s)') ? 0 : metric.includes('per round trip') ? 2 : 1;
    console.log(
      `${metric.padEnd(w)}  ${a!.toFixed(digits).padStart(10)}${b!.toFixed(digits).padStart(10)}  ${(b! / a!).toFixed(2).padStart(5)}`,
    );
  }
  const rw = Math.max(...redisRows.map(([k]) => k.length));
  console.log(`\nRedis work per request on B (${PROBE} sequential requests each, through the proxy):`);
  console.log(
    `${'request'.padEnd(rw)}  ${'round trips'.padStart(11)}  ${'aim'.padStart(4)}  ${'commands'.padStart(8)}  by command`,
  );
  for (const [name, aim, r] of redisRows)
    console.log(
      `${name.padEnd(rw)}  ${r.roundTrips.toFixed(2).padStart(11)}  ${aim.padStart(4)}  ${r.commands.toFixed(2).padStart(8)}  ${r.top || '–'}`,
    );
  console.log(
    '\nround trips: commands the instances sent (MONITOR; a Lua script counts once, background work such as\n' +
      'task completion and its notifications/tasks publish included). commands: INFO commandstats delta, which\n' +
      'also counts each command a script runs inside Redis. For req/s higher is better; for latency lower.',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runFleet();
