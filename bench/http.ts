// HTTP rows of `npm run bench`: the tsmcp node front, the official v2 createMcpHandler and a bare canned
// node:http handler (servers/http.ts), each in its own child. Per repeat: req/s and server CPU per request
// of `tools/call` over 16 keep-alive connections on both wires, JS heap bytes allocated per request
// (servers/probe.ts explains how), and RSS per open legacy session. Loader: this process, on 127.0.0.1.
import { Agent, request } from 'node:http';
import { type Child, type Kind, log, spawn } from './lib.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
export const CONNECTIONS = 16;
const WARM_UP = 200;

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
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status}: ${init.text.slice(0, 200)}`);
  const h: Record<string, string> = { 'mcp-protocol-version': '2025-11-25' };
  if (init.session) h['mcp-session-id'] = init.session;
  await post(agent, port, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), h);
  return h;
}

type Wire = 'modern' | 'legacy';
const PARAMS = {
  modern: JSON.stringify({ _meta: META, name: 'echo', arguments: { text: 'hi' } }),
  legacy: JSON.stringify({ name: 'echo', arguments: { text: 'hi' } }),
};
const MODERN_HEADERS = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };

/** `requests` tools/call over `connections` keep-alive sockets through `agent` (every answer checked). */
async function drive(agent: Agent, port: number, headers: Record<string, string>, wire: Wire, requests: number) {
  let next = 0;
  const body = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${PARAMS[wire]}}`;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < requests) {
        const r = await post(agent, port, body(next++), headers);
        if (r.status !== 200 || !r.text.includes('"result"'))
          throw new Error(`${wire} tools/call: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      }
    }),
  );
}

export interface HttpServer {
  child: Child;
  port: number;
  agent: Agent;
  headers: { modern: Record<string, string>; legacy: Record<string, string> };
}

/** Start one HTTP server child, open its legacy session and warm both wires up. */
export async function startHttp(kind: Kind, young?: 'alloc' | 'rss', execArgv: string[] = []): Promise<HttpServer> {
  const child = spawn('./servers/http.js', [kind], { young, execArgv });
  const { port } = await child.ready;
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const headers = { modern: MODERN_HEADERS, legacy: await openLegacy(agent, port) };
  for (const wire of ['modern', 'legacy'] as const) await drive(agent, port, headers[wire], wire, WARM_UP);
  return { child, port, agent, headers };
}
export async function stopHttp(s: HttpServer) {
  s.agent.destroy();
  await s.child.close();
}

/** req/s and server CPU µs per request for `requests` tools/call on `wire`. */
export async function httpLoad(s: HttpServer, wire: Wire, requests: number) {
  const before = await s.child.ask<{ cpu: NodeJS.CpuUsage }>('cpu');
  const t0 = performance.now();
  await drive(s.agent, s.port, s.headers[wire], wire, requests);
  const seconds = (performance.now() - t0) / 1000;
  const after = await s.child.ask<{ cpu: NodeJS.CpuUsage }>('cpu');
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { rps: requests / seconds, cpuPerRequest: cpu / requests };
}

/**
 * Bytes allocated per request in a window of `requests` modern tools/call (probe.ts). A window in which a
 * GC ran is thrown away and retried at half the size, three times at most.
 */
export async function measureAllocation(
  child: Child,
  requests: number,
  run: (n: number) => Promise<void>,
): Promise<number> {
  for (let n = Math.min(requests, windows.get(child) ?? requests), attempt = 0; attempt < 4; attempt++) {
    await child.ask('alloc-start');
    await run(n);
    const { bytes, gcs } = await child.ask<{ bytes: number; gcs: number }>('alloc-stop');
    if (gcs === 0) return bytes / n;
    n = Math.max(50, n >> 1);
    windows.set(child, n);
    log(`  (a GC ran in an allocation window: ${n} requests from now on for this server)`);
  }
  throw new Error('allocation: a GC ran in every window');
}
/** The window size that fits each child's young generation, once one did not. */
const windows = new WeakMap<Child, number>();
export const httpAllocation = (s: HttpServer, requests: number) =>
  measureAllocation(s.child, requests, (n) => drive(s.agent, s.port, s.headers.modern, 'modern', n));

/**
 * RSS (and JS heap) per open legacy session, in a fresh child whose young generation is small and fixed (so
 * its growth is not in the figure): warm up, open SESSION_WARM_UP sessions (code and maps grown), collect,
 * read RSS; open `sessions` more (initialize + initialized each, held open), collect, read again.
 * `undefined` when the server keeps no sessions (no Mcp-Session-Id).
 */
export async function rssPerSession(kind: Kind, sessions: number) {
  const s = await startHttp(kind, 'rss');
  try {
    for (let i = 0; i < SESSION_WARM_UP; i++) await openLegacy(s.agent, s.port);
    const before = await s.child.ask<{ rss: number; heap: number }>('mem');
    let held = 0;
    for (let i = 0; i < sessions; i++) if ((await openLegacy(s.agent, s.port))['mcp-session-id']) held++;
    const after = await s.child.ask<{ rss: number; heap: number }>('mem');
    if (held === 0) return undefined;
    return { rss: (after.rss - before.rss) / sessions, heap: (after.heap - before.heap) / sessions };
  } finally {
    await stopHttp(s);
  }
}
const SESSION_WARM_UP = 200;
