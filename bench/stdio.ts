// stdio rows of `npm run bench`. Servers (tsmcp, official v2, the bare responder of servers/bare-stdio.ts)
// are driven by raw JSON-RPC lines on the 2025-11-25 wire (initialize once, then tools/call), so no client's
// cost is in their figures: sequential calls/s (one line, wait for its answer, next), pipelined calls/s
// (10,000 lines in one write, until the 10,000th answer), JS heap bytes allocated per request (probe.ts),
// and cold start (spawn → the answer to tools/list, written together with initialize at spawn). The
// client row turns it round: tsmcp's Client and the official v2 Client against the bare responder, beside a
// hand-written JSON-RPC caller (a Map of pending ids over the same pipe), 64 calls in flight.
import { spawn as spawnProcess } from 'node:child_process';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { Client } from '../src/entries/client.js';
import { StdioClientTransport } from '../src/transports/stdio/index.js';
import { type Child, INITIALIZE, type Kind, LineDriver, callLine, here, spawn, track } from './lib.js';
import { measureAllocation } from './http.js';

const SCRIPTS: { [k in Kind]: string } = {
  tsmcp: './servers/tsmcp-stdio.js',
  official: './servers/official-stdio.js',
  bare: './servers/bare-stdio.js',
};
/** Whole-run bound of one stdio measurement. */
const RUN_MS = 180_000;
const WARM_UP = 300;
export const IN_FLIGHT = 64;

export interface StdioServer {
  child: Child;
  driver: LineDriver;
  nextId: number;
}

export async function startStdio(kind: Kind, young?: 'alloc' | 'rss', execArgv: string[] = []): Promise<StdioServer> {
  const child = spawn(SCRIPTS[kind], [], { stdio: true, young, execArgv });
  const driver = new LineDriver(child.proc);
  const s = { child, driver, nextId: 1 };
  const stop = driver.deadline(RUN_MS);
  try {
    driver.write(INITIALIZE);
    await driver.until(1);
    await sequential(s, WARM_UP);
    await pipelined(s, 1000);
  } finally {
    stop();
  }
  return s;
}

/** calls/s, one call at a time. */
export async function sequential(s: StdioServer, n: number): Promise<number> {
  const stop = s.driver.deadline(RUN_MS);
  try {
    const t0 = performance.now();
    for (let i = 0, want = s.driver.count; i < n; i++) {
      s.driver.write(callLine(s.nextId++));
      await s.driver.until(++want);
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    stop();
  }
}

/** calls/s, `n` calls written in one go. */
export async function pipelined(s: StdioServer, n: number): Promise<number> {
  let text = '';
  for (let i = 0; i < n; i++) text += callLine(s.nextId++);
  const stop = s.driver.deadline(RUN_MS);
  try {
    const want = s.driver.count + n;
    const t0 = performance.now();
    s.driver.write(text);
    await s.driver.until(want);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    stop();
  }
}

export const stdioAllocation = (s: StdioServer, requests: number) =>
  measureAllocation(s.child, requests, async (n) => void (await pipelined(s, n)));

/** ms from spawn to the answer to tools/list (initialize, initialized and tools/list written at spawn). */
export async function coldStart(kind: Kind): Promise<number> {
  const t0 = performance.now();
  const proc = track(spawnProcess(process.execPath, [here(SCRIPTS[kind])], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const driver = new LineDriver(proc);
  const stop = driver.deadline(30_000);
  try {
    driver.write(`${INITIALIZE}{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n`);
    await driver.until(2);
    return performance.now() - t0;
  } finally {
    stop();
    proc.kill('SIGKILL');
  }
}

/** A hand-written JSON-RPC caller: ids, a Map of pending calls, JSON.parse per answer line. */
class HandCaller {
  #id = 0;
  #pending = new Map<number, (r: unknown) => void>();
  #buf = '';
  constructor(readonly child: Child) {
    const out = child.proc.stdout!;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      const text = this.#buf + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const m = JSON.parse(text.slice(start, nl)) as { id: number; result?: unknown };
        start = nl + 1;
        const resolve = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        resolve?.(m.result);
      }
      this.#buf = text.slice(start);
    });
  }
  call(method: string, params?: object): Promise<unknown> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.child.proc.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }
  notify(method: string) {
    this.child.proc.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
  }
}

/** Something that calls the echo tool, and its close. */
export interface Caller {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

/** `kind` here is the caller: tsmcp's Client, the official v2 Client, or the hand-written one (`bare`). */
export async function startCaller(kind: Kind): Promise<Caller> {
  const bare = here(SCRIPTS.bare);
  if (kind === 'tsmcp') {
    const c = new Client({ name: 'bench', version: '1' }, { version: '2025-11-25', cache: false });
    await c.connect(new StdioClientTransport({ command: process.execPath, args: [bare], stderr: 'inherit' }));
    return { call: () => c.callTool('echo', { text: 'hi' }), close: () => c.close() };
  }
  if (kind === 'official') {
    const c = new V2Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode: 'legacy' } } as never);
    await c.connect(new V2Stdio({ command: process.execPath, args: [bare], stderr: 'inherit' }));
    return { call: () => c.callTool({ name: 'echo', arguments: { text: 'hi' } }), close: () => c.close() };
  }
  const child = spawn(SCRIPTS.bare, [], { stdio: true, probe: false });
  const h = new HandCaller(child);
  await h.call('initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  });
  h.notify('notifications/initialized');
  return { call: () => h.call('tools/call', { name: 'echo', arguments: { text: 'hi' } }), close: () => child.close() };
}

/** calls/s of `n` calls, IN_FLIGHT at a time; bounded by RUN_MS. */
export async function clientLoad(c: Caller, n: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`client run: not done after ${RUN_MS} ms`)), RUN_MS);
  });
  try {
    await Promise.race([
      timeout,
      Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < n) {
            next++;
            await c.call();
          }
        }),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return n / ((performance.now() - t0) / 1000);
}
