// A legacy stdio server that exits on the era probe is started once more and spoken to with
// `initialize`: exactly one fresh process, not a second one left running beside it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';

describe('stdio: a server that exits on the era probe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-probe-exit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is restarted once (two processes in all) and spoken to in its legacy revision', async () => {
    const log = join(dir, 'pids');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [distPath('test/fixtures/probe-exit-server.js')],
      env: { PROBE_EXIT_LOG: log },
    });
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(transport);
    try {
      assert.equal(client.era, 'legacy');
      await client.ping();
      const pids = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(pids.length, 2, `processes started: ${pids.join(', ')}`);
      assert.equal(String(transport.pid), pids[1]);
    } finally {
      await client.close();
      // A leaked process would keep this test file alive: end any left over (none once fixed).
      for (const pid of readFileSync(log, 'utf8').trim().split('\n')) {
        try {
          process.kill(Number(pid));
        } catch {}
      }
    }
  });
});
