// A throwaway redis-server on a free loopback port: the launcher of the fleet benchmark (without
// persistence), also used by the tests' helper (test/helpers/redis.ts), which adds persistence and restarts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_HINT = 'Debian/Ubuntu: apt-get install -y redis-server';

export const redisOnPath = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Spawns `redis-server args…` and resolves once it accepts connections; rejects (the child killed) when it
 * exits first or has not started within 10 s.
 */
export async function spawnRedisServer(args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-2000)}`)), 10_000);
      child.stdout!.on('data', (b: Buffer) => {
        out = (out + b.toString()).slice(-64 * 1024);
        if (out.includes('Ready to accept connections')) clearTimeout(timer), resolve();
      });
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited (${code}): ${out}`))));
      child.once('error', (e) => (clearTimeout(timer), reject(e)));
    });
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  }
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

export interface BenchRedis {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL and remove its data folder; safe to call twice, and synchronous enough for process 'exit'. */
  close(): void;
}

/** Starts redis-server on 127.0.0.1 without persistence (see spawnRedisServer for the bounds). */
export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  let child: ChildProcess;
  try {
    child = await spawnRedisServer(args);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const close = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, port, child, close };
}
