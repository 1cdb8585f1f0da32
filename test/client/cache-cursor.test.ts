// The client's response cache and a stale cursor (CHECKLIST A9: invalid cursor ⇒ drop all cached pages
// and restart): once the server answers a cursor with -32602, no cached page of that list is served
// again, so a re-list starts fresh; other lists' pages stay cached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport, type Direction, type Side } from '../helpers/wire-recorder.js';

describe('client cache: a -32602 for a stale cursor drops the cached pages of that list', () => {
  it('tools/list pages are fetched again after the bad cursor; prompts/list stays cached', async () => {
    // Default list TTL (30 s) keeps every page fresh for the whole test: only invalidation can drop one.
    const server = new McpServer({ name: 's', version: '1' }, { pageSize: 2 });
    const tools = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((n) => [
        n,
        server.registerTool(n, { inputSchema: { type: 'object' } }, () => ({ content: [] })),
      ]),
    );
    server.registerPrompt('p', {}, () => []);

    const recorder = new WireRecorder();
    const asked = new Map<string, number>();
    const sink = {
      record(d: Direction, m: unknown) {
        recorder.record(d, m);
        const method = (m as { method?: string }).method;
        if (d === 'client->server' && method) asked.set(method, (asked.get(method) ?? 0) + 1);
      },
      attach: (s: Side) => recorder.attach(s),
      attached: (s: Side) => recorder.attached(s),
    };
    const [ct, st] = createLinkedPair();
    await server.connect(recordTransport(st, sink, 'server'));
    const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28', cache: true });
    await client.connect(recordTransport(ct, sink, 'client'));
    const names = (r: { tools: { name: string }[] }) => r.tools.map((t) => t.name);

    const p1 = await client.listTools();
    assert.deepEqual(names(p1), ['a', 'b']);
    const p2 = await client.listTools(p1.nextCursor);
    assert.deepEqual(names(p2), ['c', 'd']);
    await client.listPrompts();
    assert.deepEqual(names(await client.listTools()), ['a', 'b']);
    assert.equal(asked.get('tools/list'), 2, 'the first page came from the cache');

    // The item p2's cursor points at goes away (no listen stream here, so no list-changed reaches us).
    tools.d!.remove();
    await assert.rejects(client.listTools(p2.nextCursor), (e: unknown) => e instanceof McpError && e.code === -32602);
    assert.equal(asked.get('tools/list'), 3);

    // Starting over reaches the server, for the first page and the (still valid) second cursor alike.
    assert.deepEqual(names(await client.listTools()), ['a', 'b']);
    assert.deepEqual(names(await client.listTools(p1.nextCursor)), ['c', 'e']);
    assert.equal(asked.get('tools/list'), 5);
    assert.deepEqual(await client.listAllTools().then((t) => t.map((x) => x.name)), ['a', 'b', 'c', 'e']);
    // Another list's pages are not touched.
    await client.listPrompts();
    assert.equal(asked.get('prompts/list'), 1);

    await client.close();
    recorder.assertClean();
  });
});
