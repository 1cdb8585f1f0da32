// Using a Client while connect() is still settling the era: a call says to await connect(); close()
// aborts the connect, stops the spawned server, and leaves no rejection unhandled and no process behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

describe('a Client whose connect() has not finished', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-connecting-'));
  const pids: number[] = [];
  after(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL'); // none once fixed
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  const start = () => {
    const log = join(dir, `pids-${n++}`);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [distPath('test/fixtures/silent-server.js')],
      env: { SILENT_LOG: log },
      shutdown: { stdinCloseMs: 5000 },
    });
    const client = new Client({ name: 'c', version: '1' });
    const connecting = client.connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    const started = () => {
      try {
        const list = readFileSync(log, 'utf8').trim().split('\n').map(Number);
        for (const p of list) if (!pids.includes(p)) pids.push(p);
        return list;
      } catch {
        return [];
      }
    };
    return { client, connecting, started };
  };

  it('a call says that connect() is still in progress', async () => {
    const { client, connecting, started } = start();
    await until(() => started().length === 1, 'the server to start');
    await assert.rejects(client.listTools(), (e: unknown) => {
      assert.ok(e instanceof TsmcpError, String(e));
      assert.equal(e.code, 'TSMCP_NOT_CONNECTED');
      assert.match(e.message, /connect\(\) is still in progress: await it/);
      return true;
    });
    await client.close();
    await connecting;
  });

  it('close() aborts the connect and stops the child: no second process, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client, connecting, started } = start();
      await until(() => started().length === 1, 'the server to start');
      await client.close();
      const error = await connecting;
      assert.ok(error instanceof TsmcpError, String(error));
      assert.match(error.message, /close\(\) was called while connect\(\) was in progress/);
      const list = started();
      assert.equal(list.length, 1, `processes started: ${list.join(', ')}`);
      assert.equal(alive(list[0]!), false, 'the spawned server is gone once close() resolved');
      // Give a stray rejection a few turns of the event loop to surface.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
