// A fleet for tests: N separate node processes of test/fixtures/fleet-server.ts (compiled) on loopback,
// with a bounded wait for each to print its port; `kill(i, signal)` and `close()`.
import { type ChildProcess, spawn } from 'node:child_process';
import { distPath } from './raw-stdio.js';

export interface FleetInstance {
  readonly port: number;
  readonly url: string;
  /** Startup check warnings the instance printed (FleetIssue codes). */
  readonly warnings: string[];
  readonly child: ChildProcess;
}

export interface TestFleet {
  readonly instances: FleetInstance[];
  /** Upstream URLs, for the round-robin proxy. */
  readonly urls: string[];
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

export interface FleetEnv {
  REDIS_URL: string;
  /** The shared key; a function gives each instance its own (the negative test). */
  FLEET_KEY: string | ((i: number) => string);
  FLEET_CONNECT_TIMEOUT_MS?: string;
  /** Task lease, ms (fixture default 15 000). */
  FLEET_LEASE_MS?: string;
}

/** How long one instance may take to print its port, ms: a process start plus a Redis connection. */
const START_TIMEOUT_MS = 20_000;

/** Starts one instance; rejects with its stderr when it exits (a failed startup check) or times out. */
export function startInstance(
  id: string,
  env: Omit<FleetEnv, 'FLEET_KEY'> & { FLEET_KEY: string },
): Promise<FleetInstance> {
  const child = spawn(process.execPath, [distPath('test/fixtures/fleet-server.js')], {
    env: { ...process.env, ...env, PORT: '0', FLEET_INSTANCE: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-8192)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet instance ${id} did not start within ${START_TIMEOUT_MS} ms: ${err}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      clearTimeout(timer);
      const r = JSON.parse(line) as { ready: number; warnings: string[] };
      child.stdout!.resume();
      resolve({ port: r.ready, url: `http://127.0.0.1:${r.ready}/mcp`, warnings: r.warnings, child });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(err.trim() || `fleet instance ${id} exited (${code})`), { exitCode: code }));
    });
  });
}

/** Starts `n` instances (in parallel); if one fails, the others are stopped. */
export async function startFleet(n: number, env: FleetEnv): Promise<TestFleet> {
  const keyOf = (i: number) => (typeof env.FLEET_KEY === 'function' ? env.FLEET_KEY(i) : env.FLEET_KEY);
  const started = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => startInstance(String(i), { ...env, FLEET_KEY: keyOf(i) })),
  );
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async () => {
    await Promise.all(
      instances.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  };
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await stopAll();
    throw (failure as PromiseRejectedResult).reason;
  }
  return {
    instances,
    urls: instances.map((i) => i.url),
    kill: async (i, signal = 'SIGKILL') => {
      const { child } = instances[i]!;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    close: stopAll,
  };
}
