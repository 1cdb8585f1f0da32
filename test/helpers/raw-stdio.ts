// Test helper: a server child process driven by raw lines, to send what no well-behaved client would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where raw traffic is recorded for the schema check (a WireRecorder). */
export interface RawSink {
  record(direction: 'client->server' | 'server->client', message: unknown): void;
}

export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** Record traffic into the sink while true (turn off around deliberately broken exchanges). */
  recording: boolean;
  /** Write one raw line (a newline is appended). */
  send(line: string | object): void;
  /** Next parsed line from stdout (waits up to `ms`). */
  next(ms?: number): Promise<Record<string, unknown>>;
  /** Every line received so far and not yet taken by next(). */
  drain(ms?: number): Promise<Record<string, unknown>[]>;
  /** Every line ever received, parsed. */
  readonly all: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Path of a compiled file relative to the repo's dist root, from a test file's URL. */
export function distPath(rel: string): string {
  return fileURLToPath(new URL(`../../${rel}`, import.meta.url));
}

export function spawnRaw(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  sink?: RawSink,
): RawServer {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const queue: Record<string, unknown>[] = [];
  const all: Record<string, unknown>[] = [];
  const waiters: ((v: Record<string, unknown>) => void)[] = [];
  let buf = '';
  child.stderr.resume();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as Record<string, unknown>; // stdout must only ever carry JSON
      all.push(msg);
      if (raw.recording) sink?.record('server->client', msg);
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    }
  });
  const raw: RawServer = {
    child,
    all,
    recording: true,
    send(line) {
      const text = typeof line === 'string' ? line : JSON.stringify(line);
      if (raw.recording && sink) {
        try {
          sink.record('client->server', JSON.parse(text));
        } catch {
          // not JSON: nothing to track
        }
      }
      child.stdin.write(`${text}\n`);
    },
    next(ms = 5000) {
      const q = queue.shift();
      if (q) return Promise.resolve(q);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          const i = waiters.indexOf(done);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no message within ${ms} ms`));
        }, ms);
        const done = (v: Record<string, unknown>) => {
          clearTimeout(t);
          resolve(v);
        };
        waiters.push(done);
      });
    },
    async drain(ms = 200) {
      await new Promise((r) => setTimeout(r, ms));
      return queue.splice(0);
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
  return raw;
}
