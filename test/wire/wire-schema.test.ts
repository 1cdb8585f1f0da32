// The wire checker itself: the official examples pass, and hand-made violations are caught.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { specDir, validateMessage } from '../helpers/wire-schema.js';
import { WireRecorder } from '../helpers/wire-recorder.js';

const examples = join(specDir(), '2026-07-28', 'examples');

describe('wire schema checker', () => {
  it('accepts every whole-message example of 2026-07-28', () => {
    let checked = 0;
    for (const type of readdirSync(examples)) {
      for (const file of readdirSync(join(examples, type))) {
        const msg = JSON.parse(readFileSync(join(examples, type, file), 'utf8')) as Record<string, unknown>;
        if (msg.jsonrpc !== '2.0') continue;
        // This example omits ttlMs/cacheScope, which caching.mdx makes a MUST for resources/read; it only
        // validates as its envelope type through the loose InputRequiredResult branch of the anyOf.
        // Our checker picks the branch by resultType, so it rightly flags it.
        if (type === 'ReadResourceResultResponse' && file === 'read-resource-result-response.json') {
          assert.ok(validateMessage('2026-07-28', msg, { direction: 'server->client', answering: 'resources/read' }).length > 0);
          continue;
        }
        const answering = type.endsWith('ResultResponse')
          ? { DiscoverResultResponse: 'server/discover', CallToolResultResponse: 'tools/call', ListToolsResultResponse: 'tools/list', GetPromptResultResponse: 'prompts/get', ListPromptsResultResponse: 'prompts/list', ListResourcesResultResponse: 'resources/list', ListResourceTemplatesResultResponse: 'resources/templates/list', ReadResourceResultResponse: 'resources/read', CompleteResultResponse: 'completion/complete', SubscriptionsListenResultResponse: 'subscriptions/listen' }[type]
          : undefined;
        const direction = type.endsWith('Request') ? 'client->server' : 'server->client';
        assert.deepEqual(validateMessage('2026-07-28', msg, { direction, answering }), [], `${type}/${file}`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `only ${checked} examples checked`);
  });

  it('catches a 2026 result without resultType', () => {
    const v = validateMessage('2026-07-28', { jsonrpc: '2.0', id: 1, result: { content: [] } }, { direction: 'server->client', answering: 'tools/call' });
    assert.ok(v.length > 0);
  });

  it('catches a tools/list result without tools, and a bad initialize result', () => {
    assert.ok(validateMessage('2026-07-28', { jsonrpc: '2.0', id: 1, result: { resultType: 'complete', ttlMs: 0, cacheScope: 'private' } }, { direction: 'server->client', answering: 'tools/list' }).length > 0);
    assert.ok(validateMessage('2025-06-18', { jsonrpc: '2.0', id: 1, result: { protocolVersion: 5, capabilities: {}, serverInfo: { name: 'x', version: '1' } } }, { direction: 'server->client', answering: 'initialize' }).length > 0);
  });

  it('catches methods the revision does not have', () => {
    assert.ok(validateMessage('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'server/discover', params: {} }, { direction: 'client->server' }).length > 0);
    assert.ok(validateMessage('2026-07-28', { jsonrpc: '2.0', id: 1, method: 'ping' }, { direction: 'client->server' }).length > 0);
    assert.ok(validateMessage('2025-03-26', { jsonrpc: '2.0', id: 1, method: 'elicitation/create', params: { message: 'x', requestedSchema: { type: 'object', properties: {} } } }, { direction: 'server->client' }).length > 0);
  });

  it('follows a legacy conversation to the negotiated revision', () => {
    const r = new WireRecorder();
    r.record('client->server', { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    r.record('server->client', { jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
    assert.equal(r.revision, '2025-06-18');
    r.record('client->server', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    r.record('server->client', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 't', inputSchema: { type: 'object' } }] } });
    assert.deepEqual(r.violations(), []);
    r.record('server->client', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 7 }] } });
    assert.equal(r.violations().length > 0, true);
    assert.throws(() => r.assertClean(), /schema violation/);
  });
});
