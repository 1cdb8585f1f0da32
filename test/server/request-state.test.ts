// Sealed requestState: round-trips, and any tampering, expiry or reuse for another request is -32602.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/protocol/canonical-json.js';
import { createServer } from 'node:http';
import { RequestStateCodec, digest, type RequestStateOptions } from '../../src/server/request-state.js';
import { McpServer } from '../../src/server/mcp-server.js';
import type { JsonObject } from '../../src/protocol/types.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { McpError } from '../../src/protocol/errors.js';

const isBad = (re: RegExp) => (e: unknown) => e instanceof McpError && e.code === -32602 && re.test(e.message);

describe('RequestStateCodec', () => {
  it('round-trips a payload', async () => {
    const c = new RequestStateCodec({ key: 'k'.repeat(32) });
    const d = await digest(['tools/call', 'x', {}]);
    const s = await c.seal({ d, e: Date.now() + 1000, a: { k: { action: 'accept' } }, q: { k: 'elicitation/create' } });
    const p = await c.open(s, d);
    assert.deepEqual(p.a, { k: { action: 'accept' } });
  });
  it('rejects a flipped byte, another key, expiry and another request', async () => {
    const c = new RequestStateCodec({ key: 'k'.repeat(32) });
    const d = await digest(['tools/call', 'x', {}]);
    const s = await c.seal({ d, e: Date.now() + 1000, a: {}, q: {} });
    const [v, body, mac] = s.split('.');
    const flipped = `${v}.${body!.slice(0, -2)}${body!.slice(-2) === 'AA' ? 'AB' : 'AA'}.${mac}`;
    await assert.rejects(c.open(flipped, d), isBad(/integrity|malformed/));
    await assert.rejects(new RequestStateCodec({ key: 'j'.repeat(32) }).open(s, d), isBad(/integrity/));
    await assert.rejects(c.open('garbage', d), isBad(/malformed/));
    await assert.rejects(c.open(s, await digest(['tools/call', 'y', {}])), isBad(/different request/));
    const old = await c.seal({ d, e: Date.now() - 1, a: {}, q: {} });
    await assert.rejects(c.open(old, d), isBad(/expired/));
    const bound = await c.seal({ d, e: Date.now() + 1000, a: {}, q: {}, p: 'alice' });
    await assert.rejects(c.open(bound, d, 'mallory'), isBad(/principal/));
  });
  it('refuses short keys', () => {
    assert.throws(() => new RequestStateCodec({ key: 'short' }));
  });
  it('canonicalJson sorts keys', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('requestState key rotation', () => {
  const A = 'a'.repeat(32);
  const B = 'b'.repeat(32);
  const seal = async (c: RequestStateCodec, d: string) => c.seal({ d, e: Date.now() + 60_000, a: { n: 1 }, q: {} });

  it('a state sealed with the old key still opens after rotation; new states use the new key', async () => {
    const d = await digest(['tools/call', 'x', {}]);
    const before = new RequestStateCodec({ key: A });
    const sealedOld = await seal(before, d);
    const rotated = new RequestStateCodec({ key: B, previousKeys: [A] });
    assert.deepEqual((await rotated.open(sealedOld, d)).a, { n: 1 });
    // Signed with the new key only: an instance that knows only B opens it, one that knows only A does not.
    const sealedNew = await seal(rotated, d);
    assert.deepEqual((await new RequestStateCodec({ key: B }).open(sealedNew, d)).a, { n: 1 });
    await assert.rejects(before.open(sealedNew, d), isBad(/integrity/));
  });

  it('a state sealed with a key that is neither current nor previous is refused', async () => {
    const d = await digest(['tools/call', 'x', {}]);
    const stranger = await seal(new RequestStateCodec({ key: 'c'.repeat(32) }), d);
    await assert.rejects(new RequestStateCodec({ key: B, previousKeys: [A] }).open(stranger, d), isBad(/integrity/));
  });

  it('through HTTP: a round asked by a server with the old key is answered at a server with the rotated key', async () => {
    const start = async (requestState: RequestStateOptions) => {
      const s = new McpServer({ name: 'r', version: '1' }, { requestState });
      s.registerTool('confirm', { inputSchema: { type: 'object' } }, async (_a, ctx) => {
        const r = await ctx.elicit({ message: 'ok?', requestedSchema: { type: 'object', properties: {} } });
        return { content: [{ type: 'text', text: r.action }] };
      });
      const http = createServer(createNodeHandler(s));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      return { http, url: `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp` };
    };
    const post = async (url: string, params: JsonObject) => {
      const meta = {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
      };
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': 'confirm',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'confirm', arguments: {}, _meta: meta, ...params },
        }),
      });
      return (await r.json()) as { result?: JsonObject; error?: { code: number; message: string } };
    };
    const old = await start({ key: A });
    const rotated = await start({ key: B, previousKeys: [A] });
    const stranger = await start({ key: 'c'.repeat(32) });
    try {
      const first = await post(old.url, {});
      const key = Object.keys(first.result!.inputRequests as JsonObject)[0]!;
      const answers = {
        inputResponses: { [key]: { action: 'accept', content: {} } },
        requestState: first.result!.requestState,
      };
      const done = await post(rotated.url, answers);
      assert.equal(((done.result!.content as JsonObject[])[0] as { text: string }).text, 'accept');
      const refused = await post(stranger.url, answers);
      assert.equal(refused.error?.code, -32602);
      assert.match(refused.error!.message, /integrity/);
    } finally {
      for (const { http } of [old, rotated, stranger]) {
        http.closeAllConnections();
        await new Promise((r) => http.close(r));
      }
    }
  });

  it('bounds previousKeys and refuses short previous keys', () => {
    assert.throws(() => new RequestStateCodec({ key: B, previousKeys: ['short'] }), /at least 16 bytes/);
    assert.throws(
      () => new RequestStateCodec({ key: B, previousKeys: Array.from({ length: 5 }, (_, i) => `${i}`.repeat(32)) }),
      /at most 4/,
    );
  });
});
