// examples/fleet runs (as `npm run example:fleet` does) against a throwaway Redis: three instances answer
// in turn, the two rounds of `greet` complete across instances; without Redis it says so and exits 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { distPath } from '../../helpers/raw-stdio.js';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../helpers/redis.js';

const run = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [distPath('examples/fleet/index.js')], {
    env: { ...process.env, ...env },
    timeout: 60_000, // a hung example fails the test instead of the run
  });

describe('examples/fleet', skipWithoutRedis(), () => {
  let redis: TestRedis;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.close());

  it('prints one answer from each instance and a greeting finished on another instance', async () => {
    const { stdout, stderr } = await run({ REDIS_URL: redis.url });
    const lines = stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l.replace(/\d$/, 'N')),
      Array(3).fill('whoami → instance N'),
    );
    assert.equal(new Set(lines.slice(0, 3)).size, 3);
    assert.match(lines[3]!, /^greet → hello Ada, from instance \d$/);
    assert.doesNotMatch(stderr, /fleet check warning/, 'every store the example needs is shared');
  });

  it('without Redis: names the URL and exits 1', async () => {
    await redis.stop({ kill: true });
    await assert.rejects(run({ REDIS_URL: redis.url }), (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 1);
      assert.match(String(e.stderr), new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redis.port}/? cannot be reached`));
      return true;
    });
  });
});
