// A stdio server that exits before answering: the caller reads the exit code and the server's last
// stderr lines (not "connection closed"), and a server that keeps failing is not started over and over.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';

describe('stdio: a server that exits before answering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-exit-message-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  const connect = async (options: { restart?: object; version?: 'legacy' } = {}) => {
    const log = join(dir, `pids-${n++}`);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [distPath('test/fixtures/exit-at-start-server.js')],
      env: { EXIT_LOG: log },
      stderr: 'pipe',
      ...(options.restart ? { restart: options.restart } : {}),
    });
    transport.stderr.resume();
    const client = new Client({ name: 'c', version: '1' }, options.version ? { version: options.version } : {});
    const error = await client.connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    return { error, starts: readFileSync(log, 'utf8').trim().split('\n') };
  };

  const assertExplained = (error: unknown) => {
    assert.ok(error instanceof TsmcpError, String(error));
    assert.equal(error.code, 'TSMCP_CONNECTION_CLOSED');
    assert.match(error.message, /exited with code 1 before answering \(stderr:/);
    assert.match(error.message, /fatal: WEATHER_API_KEY is not set/);
    assert.doesNotMatch(error.message, /Connection closed before the response arrived/);
  };

  it('auto era: the error names the exit code and the last stderr lines', async () => {
    const { error, starts } = await connect();
    assertExplained(error);
    // One fresh start at most: the era probe's fallback for legacy servers that exit on server/discover
    // (ARCHITECTURE.md), never a loop.
    assert.ok(starts.length <= 2, `started ${starts.length} times`);
  });

  it('with a restart policy: still no restart of a server that never answered', async () => {
    const { error, starts } = await connect({ restart: { maxRestarts: 3, backoff: { initialMs: 1 } } });
    assertExplained(error);
    assert.ok(starts.length <= 2, `started ${starts.length} times`);
  });

  it('a pinned legacy handshake: started once', async () => {
    const { error, starts } = await connect({ version: 'legacy' });
    assertExplained(error);
    assert.equal(starts.length, 1);
  });
});
