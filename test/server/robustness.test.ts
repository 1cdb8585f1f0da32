// Property: whatever a peer sends, the server answers with well-formed JSON-RPC (or stays silent where
// the spec says so), never crashes, and keeps serving afterwards.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import type { JsonRpcMessage } from '../../src/index.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const methods = [
  'tools/call',
  'tools/list',
  'resources/read',
  'prompts/get',
  'completion/complete',
  'server/discover',
  'subscriptions/listen',
  'initialize',
  'logging/setLevel',
  'nope',
];

describe('server robustness (property)', () => {
  it('answers arbitrary requests with a result or a JSON-RPC error and keeps serving', async () => {
    const server = createEverythingServer();
    const [c, s] = createLinkedPair();
    const inbox: Record<string, unknown>[] = [];
    c.onmessage = (v) => inbox.push(v as Record<string, unknown>);
    await server.connect(s);
    await c.start();
    let n = 0;
    const arbParams = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.record(
        {
          _meta: fc.oneof(fc.constant(META), fc.dictionary(fc.string(), fc.jsonValue())),
          name: fc.oneof(
            fc.string(),
            fc.constantFrom('test_simple_text', 'test_sampling', 'test_prompt_with_arguments'),
          ),
          uri: fc.string(),
          arguments: fc.jsonValue(),
          cursor: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), arbParams, async (method, params) => {
        const id = `p-${n++}`;
        await c.send({ jsonrpc: '2.0', id, method, params } as JsonRpcMessage);
        for (let i = 0; i < 200 && !inbox.some((m) => m.id === id); i++) await new Promise((r) => setTimeout(r, 1));
        const answer = inbox.find((m) => m.id === id);
        if (method === 'subscriptions/listen' && !answer) return; // a valid listen stays open
        assert.ok(answer, `no answer to ${method} ${JSON.stringify(params).slice(0, 200)}`);
        assert.equal(answer.jsonrpc, '2.0');
        if ('error' in answer) {
          const e = answer.error as { code: number; message: string };
          assert.ok(Number.isInteger(e.code) && typeof e.message === 'string');
          assert.ok([-32600, -32601, -32602, -32021, -32022].includes(e.code), `unexpected code ${e.code}`);
        } else {
          assert.equal(typeof answer.result, 'object');
        }
      }),
      { numRuns: 300 },
    );
    await c.send({
      jsonrpc: '2.0',
      id: 'final',
      method: 'tools/call',
      params: { _meta: META, name: 'test_simple_text' },
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(inbox.some((m) => m.id === 'final' && 'result' in m));
  });
});
