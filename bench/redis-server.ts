// A throwaway redis-server for the fleet benchmark, on a free loopback port, without persistence.
// (bench/ does not import test/: this is the minimal start/stop of test/helpers/redis.ts.)
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

export interface BenchRedis {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL and remove its data folder; safe to call twice, and synchronous enough for process 'exit'. */
  close(): void;
}

/** Starts redis-server on 127.0.0.1; rejects (and cleans up) when it exits or has not started within 10 s. */
export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const close = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
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
    close();
    throw e;
  }
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `redis://127.0.0.1:${port}`, port, child, close };
}
