// examples/docs/telemetry/in-memory.ts (the code of docs/telemetry.md) runs by itself and prints one trace:
// the server's tools/call span a child of the client's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { distPath } from '../../helpers/raw-stdio.js';

describe('examples/docs/telemetry', () => {
  it('in-memory.ts prints a client span and its server child in one trace', () => {
    const r = spawnSync(process.execPath, [distPath('examples/docs/telemetry/in-memory.js')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const line = (kind: string) => {
      const m = new RegExp(`^${kind} tools/call forecast trace=(\\w+) span=(\\w+) parent=(\\S+)`, 'm').exec(r.stdout);
      assert.ok(m, `no ${kind} span in:\n${r.stdout}`);
      return { trace: m[1], span: m[2], parent: m[3] };
    };
    const client = line('CLIENT');
    const server = line('SERVER');
    assert.equal(server.trace, client.trace);
    assert.equal(server.parent, client.span);
  });
});
