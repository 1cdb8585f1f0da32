// A throwaway redis-server for tests: started on a free loopback port when `redis-server` is on PATH (or
// REDIS_URL given). Without it a suite is skipped with a message saying how to install it, unless
// TSMCP_REQUIRE_REDIS=1 (CI sets it), which turns the skip into a failure.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnRedisServer } from '../../bench/redis-server.js';

export { freePort };

export const REDIS_MISSING =
  'redis-server not found: install it (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_URL; ' +
  'set TSMCP_REQUIRE_REDIS=1 to make its absence a failure';

/** Whether the Redis suites can run; throws when they must (TSMCP_REQUIRE_REDIS=1) but cannot. */
export function redisAvailable(): boolean {
  const ok = !!process.env.REDIS_URL || spawnSync('redis-server', ['--version']).status === 0;
  if (!ok && process.env.TSMCP_REQUIRE_REDIS === '1') throw new Error(REDIS_MISSING);
  return ok;
}

/** `{ skip }` for describe(): the message when Redis is missing, false when it is there. */
export const skipWithoutRedis = (): { skip: string | false } => ({ skip: redisAvailable() ? false : REDIS_MISSING });

export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL with `kill: true`); the data folder stays until `close`. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and data folder (with persistence on, nothing written is lost). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts redis-server on 127.0.0.1 (or uses REDIS_URL, which `stop`/`restart` cannot control).
 * `persistence: true` turns on the append-only file (fsync always) so a restart keeps what was written.
 */
export async function startRedis(options: { persistence?: boolean } = {}): Promise<TestRedis> {
  const external = process.env.REDIS_URL;
  if (external) {
    const noop = async () => {};
    return { url: external, port: Number(new URL(external).port || 6379), stop: noop, restart: noop, close: noop };
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  if (options.persistence) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnRedisServer(args);
  };
  const stop = async (o: { kill?: boolean } = {}) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(o.kill ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop({ kill: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
