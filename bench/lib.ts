// What every section of `npm run bench` shares: the measured child processes (always killed on exit),
// their probe (servers/probe.ts) over IPC, a raw JSON-RPC line driver for stdio children, and the figures
// (repeats → median and range).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const PROBE = pathToFileURL(here('./servers/probe.js')).href;
export type Kind = 'tsmcp' | 'official' | 'bare';
export const KINDS: Kind[] = ['tsmcp', 'official', 'bare'];

/** Every child still running; all are killed when this process ends, however it ends. */
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', killAll);
/** Kill `proc` with the others when this process ends. */
export function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

export interface Child {
  proc: ChildProcess;
  /** Ask the probe: `cpu`, `mem`, `alloc-start`, `alloc-stop`. */
  ask<T = Record<string, number>>(op: string): Promise<T>;
  /** The first IPC message the server itself sent (the HTTP servers' `{ port }`). */
  ready: Promise<{ port: number }>;
  close(): Promise<void>;
  /** Ask the child to exit by itself (so --cpu-prof writes its profile); killed after 10 s. */
  exit(): Promise<void>;
}

const ASK_TIMEOUT_MS = 60_000;
let asks = 0;

export interface SpawnOptions {
  /** Preload the probe (and --expose-gc); off for cold start, where only the bare server start counts. */
  probe?: boolean;
  /** Young generation: large for allocation windows (probe.ts), small and fixed for RSS per session. */
  young?: 'alloc' | 'rss';
  /** Extra node flags (e.g. --cpu-prof). */
  execArgv?: string[];
  /** Pipes for stdin/stdout (stdio servers) or nothing (HTTP servers). */
  stdio?: boolean;
}

/** Fork `script` (a compiled bench file) with `args`; stderr is inherited. */
export function spawn(script: string, args: string[], o: SpawnOptions = {}): Child {
  const execArgv = [...(o.execArgv ?? [])];
  if (o.probe !== false) execArgv.push('--expose-gc', `--import=${PROBE}`);
  if (o.young === 'alloc') execArgv.push('--min-semi-space-size=64', '--max-semi-space-size=64');
  if (o.young === 'rss') execArgv.push('--min-semi-space-size=1', '--max-semi-space-size=1');
  const proc = fork(here(script), args, {
    execArgv,
    stdio: [o.stdio ? 'pipe' : 'ignore', o.stdio ? 'pipe' : 'ignore', 'inherit', 'ipc'],
  });
  children.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => (children.delete(proc), resolve())));
  const ready = new Promise<{ port: number }>((resolve, reject) => {
    const onMessage = (m: { port?: number }) => {
      if (typeof m?.port === 'number') proc.off('message', onMessage), resolve(m as { port: number });
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before it was ready`)));
  });
  ready.catch(() => {});
  return {
    proc,
    ready,
    ask: <T>(op: string) =>
      new Promise<T>((resolve, reject) => {
        const id = ++asks;
        const timer = setTimeout(
          () => reject(new Error(`probe ${op}: no answer in ${ASK_TIMEOUT_MS} ms`)),
          ASK_TIMEOUT_MS,
        );
        const onMessage = (m: { id?: number }) => {
          if (m?.id !== id) return;
          clearTimeout(timer);
          proc.off('message', onMessage);
          resolve(m as T);
        };
        proc.on('message', onMessage);
        proc.send({ id, op });
      }),
    close: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    exit: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.send({ id: ++asks, op: 'exit' });
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Raw newline-delimited JSON-RPC over a child's stdin/stdout: no SDK in the way. */
export class LineDriver {
  #buf = '';
  #count = 0;
  #waiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  lines: string[] | undefined;
  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      let start = 0;
      const text = this.#buf + chunk;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        this.lines?.push(text.slice(start, nl));
        start = nl + 1;
        this.#count++;
      }
      this.#buf = text.slice(start);
      while (this.#waiters.length && this.#count >= this.#waiters[0]!.n) this.#waiters.shift()!.resolve();
    });
    child.once('exit', (code) => this.#fail(new Error(`server exited (${code}) after ${this.#count} answers`)));
  }
  /** Lines received so far. */
  get count() {
    return this.#count;
  }
  write(text: string) {
    this.child.stdin!.write(text);
  }
  /** Resolves once `n` lines in all have arrived. No timer per call: see `deadline`. */
  until(n: number): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ n, resolve, reject }));
  }
  #failed: Error | undefined;
  #fail(e: Error) {
    this.#failed ??= e;
    for (const w of this.#waiters.splice(0)) w.reject(e);
  }
  /** Fail every wait (now and later) after `ms`: one bound for a whole run. Returns the cancel. */
  deadline(ms: number): () => void {
    const t = setTimeout(() => this.#fail(new Error(`stdio run: only ${this.#count} answers after ${ms} ms`)), ms);
    return () => clearTimeout(t);
  }
}

/** A legacy (2025-11-25) handshake as raw lines, then `tools/call` lines by id. */
export const INITIALIZE =
  `${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n` +
  `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`;
export const callLine = (id: number) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}\n`;

export interface Figure {
  median: number;
  min: number;
  max: number;
  values: number[];
}
export const figure = (values: number[]): Figure => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, values };
};

/** The kinds in the order of repeat `r`: rotated, so none always runs first (or right after another). */
export const order = <T>(kinds: readonly T[], r: number): T[] => {
  const k = r % kinds.length;
  const rotated = [...kinds.slice(k), ...kinds.slice(0, k)];
  return Math.floor(r / kinds.length) % 2 ? rotated.reverse() : rotated;
};

export const log = (s: string) => process.stderr.write(`${s}\n`);
