// A third-party transport written against the public `Transport` contract alone (an object literal, so
// undeclared members would not type-check) gets the Client's optional features: the era cache keyed by
// `eraCacheKey`, tool header mirroring through `setToolHeaders`, and `restart` after a cached verdict fails.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { HeaderParam, Transport } from '../../src/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';

interface Log {
  sent: string[];
  headers: [string, HeaderParam[]][];
  restarts: number;
}

/**
 * A transport to `server` over a fresh in-memory pair per start, offering only declared members.
 * `restart()` closes the current pair and opens a new one; `start()` while open is a no-op (the Client
 * calls it again after a restart, as it connects again on the same transport).
 */
function thirdParty(server: McpServer | (() => McpServer), key: string, log: Log): Transport {
  let inner: Transport | undefined;
  const open = async (): Promise<void> => {
    const [a, b] = createLinkedPair();
    await (typeof server === 'function' ? server() : server).connect(b);
    a.onmessage = (v) => t.onmessage?.(v);
    a.onclose = (reason) => {
      if (inner === a) t.onclose?.(reason);
    };
    a.onerror = (e) => t.onerror?.(e);
    inner = a;
    await a.start();
  };
  const t: Transport = {
    eraCacheKey: key,
    start: () => (inner ? Promise.resolve() : open()),
    send: (m) => {
      for (const one of Array.isArray(m) ? m : [m]) if ('method' in one) log.sent.push(one.method);
      return inner ? inner.send(m) : Promise.reject(new Error('not started'));
    },
    async close() {
      const was = inner;
      await was?.close();
    },
    setToolHeaders(tool, params) {
      log.headers.push([tool, params]);
    },
    async restart() {
      log.restarts++;
      const was = inner;
      inner = undefined;
      await was?.close();
      await open();
    },
  };
  return t;
}

async function connect(server: McpServer | (() => McpServer), key: string): Promise<{ client: Client; log: Log }> {
  const log: Log = { sent: [], headers: [], restarts: 0 };
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(thirdParty(server, key, log));
  return { client, log };
}

describe('Transport contract: optional members a third-party transport can implement', () => {
  it('setToolHeaders hears each listed tool and the arguments it mirrors into headers', async () => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('plain', { inputSchema: { type: 'object' } }, () => ({ content: [] }));
    server.registerTool(
      'regional',
      { inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } },
      () => ({ content: [] }),
    );
    const { client, log } = await connect(server, `third-party:${randomUUID()}`);
    await client.listTools();
    assert.deepEqual(log.headers, [
      ['plain', []],
      ['regional', [{ header: 'Region', property: 'region', type: 'string' }]],
    ]);
    await client.close();
  });

  it('eraCacheKey: the second client to the same server skips the probe', async () => {
    const server = new McpServer({ name: 'old', version: '1' }, { versions: ['2025-06-18'] });
    const key = `third-party:${randomUUID()}`;
    const first = await connect(server, key);
    assert.equal(first.client.era, 'legacy');
    assert.deepEqual(first.log.sent.slice(0, 2), ['server/discover', 'initialize']);
    const second = await connect(server, key);
    assert.equal(second.client.era, 'legacy');
    assert.equal(second.log.sent[0], 'initialize');
    assert.equal(second.log.sent.filter((m) => m === 'server/discover').length, 0);
    await first.client.close();
    await second.client.close();
  });

  it('restart: a cached verdict that fails is dropped, the transport restarted and the server probed again', async () => {
    const key = `third-party:${randomUUID()}`;
    const legacy = await connect(new McpServer({ name: 'old', version: '1' }, { versions: ['2025-06-18'] }), key);
    await legacy.client.close();
    // Same key, but the server behind it is now modern-only: the cached `initialize` is refused.
    const modern = await connect(new McpServer({ name: 'new', version: '1' }, { versions: ['2026-07-28'] }), key);
    assert.equal(modern.client.era, 'modern');
    assert.equal(modern.log.restarts, 1);
    assert.deepEqual(modern.log.sent.slice(0, 2), ['initialize', 'server/discover']);
    await modern.client.close();
  });
});
