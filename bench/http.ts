// HTTP part of `npm run bench`: requests/s, p50/p99 latency and server CPU per request for the tsmcp
// node front, the official v2 createMcpHandler and a bare canned handler; heap per legacy session.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./servers/http.js', import.meta.url));
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 4000);
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Child {
  proc: ChildProcess;
  port: number;
}

async function start(kind: string): Promise<Child> {
  const proc = fork(script, [kind], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => proc.once('message', (m: { port: number }) => resolve(m.port)));
  return { proc, port };
}
function stats(c: Child): Promise<{ cpu: NodeJS.CpuUsage; heap: number }> {
  return new Promise((resolve) => {
    c.proc.once('message', resolve as (m: unknown) => void);
    c.proc.send('stats');
  });
}

/** One POST to `path` (default /mcp) on a loopback port through `agent`; the whole answer as text. */
export function post(
  agent: Agent,
  port: number,
  body: string,
  headers: Record<string, string>,
  path = '/mcp',
): Promise<{ status: number; text: string; session?: string }> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          host: '127.0.0.1',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, text, session: res.headers['mcp-session-id'] as string | undefined }),
        );
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

async function openLegacy(agent: Agent, port: number): Promise<Record<string, string>> {
  const init = await post(
    agent,
    port,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    }),
    {},
  );
  const h: Record<string, string> = { 'mcp-protocol-version': '2025-11-25' };
  if (init.session) h['mcp-session-id'] = init.session;
  await post(agent, port, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), h);
  return h;
}

/** Run REQUESTS tools/call over `connections` keep-alive sockets; returns req/s, p50, p99 (ms), CPU µs/req. */
export async function load(c: Child, wire: 'modern' | 'legacy', connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const headers =
    wire === 'modern'
      ? { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' }
      : await openLegacy(agent, c.port);
  const params =
    wire === 'modern'
      ? { _meta: META, name: 'echo', arguments: { text: 'hi' } }
      : { name: 'echo', arguments: { text: 'hi' } };
  for (let i = 0; i < 200; i++)
    await post(agent, c.port, JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params }), headers); // warm-up
  const before = await stats(c);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < REQUESTS) {
        const id = next++;
        const s = performance.now();
        const r = await post(
          agent,
          c.port,
          JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
          headers,
        );
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const after = await stats(c);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const cpu = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / REQUESTS;
  return {
    rps: REQUESTS / seconds,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    cpu,
  };
}

const SESSIONS = 1000;
/** Heap per open legacy session, from SESSIONS sessions opened and held. */
export async function heapPerSession(c: Child): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const before = await stats(c);
  for (let i = 0; i < SESSIONS; i++) await openLegacy(agent, c.port);
  const after = await stats(c);
  agent.destroy();
  return (after.heap - before.heap) / SESSIONS;
}

function ask<T>(c: Child, message: string): Promise<T> {
  return new Promise((resolve) => {
    c.proc.once('message', resolve as (m: unknown) => void);
    c.proc.send(message);
  });
}

/** Bytes the server allocates per modern tools/call (sampled; 2000 requests over 16 connections). */
export async function allocationPerRequest(c: Child): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
  const body = (id: number) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { _meta: META, name: 'echo', arguments: { text: 'hi' } },
    });
  for (let i = 0; i < 200; i++) await post(agent, c.port, body(i), headers);
  await ask(c, 'alloc-start');
  const N = 2000;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < N) await post(agent, c.port, body(next++), headers);
    }),
  );
  const { allocated } = await ask<{ allocated: number }>(c, 'alloc-stop');
  agent.destroy();
  return allocated / N;
}

export async function runHttp(): Promise<{ [metric: string]: { [kind: string]: number } }> {
  const rows: { [metric: string]: { [kind: string]: number } } = {};
  const put = (m: string, k: string, v: number) => ((rows[m] ??= {})[k] = v);
  for (const kind of ['tsmcp', 'official', 'bare']) {
    process.stderr.write(`benchmarking HTTP ${kind}…\n`);
    const c = await start(kind);
    for (const wire of ['modern', 'legacy'] as const) {
      if (kind === 'bare' && wire === 'legacy') continue;
      for (const n of [1, 16, 64]) {
        const r = await load(c, wire, n);
        put(`http ${wire} ×${n} (req/s)`, kind, r.rps);
        put(`http ${wire} ×${n} p50 (ms)`, kind, r.p50);
        put(`http ${wire} ×${n} p99 (ms)`, kind, r.p99);
        put(`http ${wire} ×${n} server CPU (µs/req)`, kind, r.cpu);
      }
    }
    put('allocated per modern request, server (KiB)', kind, (await allocationPerRequest(c)) / 1024);
    if (kind !== 'bare') put('heap per open legacy session (KiB)', kind, (await heapPerSession(c)) / 1024);
    c.proc.send('exit');
  }
  return rows;
}
