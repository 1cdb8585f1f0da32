// Per-method param checks: bad params become -32602 naming the field and what was expected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateRequestParams } from '../../src/protocol/validate.js';
import { isValidMetaKey, isReservedMetaKey } from '../../src/protocol/meta.js';

describe('validateRequestParams', () => {
  it('accepts well-formed params', () => {
    assert.equal(validateRequestParams('tools/call', { name: 'x', arguments: { a: 1 } }), undefined);
    assert.equal(validateRequestParams('resources/read', { uri: 'test://a' }), undefined);
    assert.equal(
      validateRequestParams('completion/complete', {
        ref: { type: 'ref/prompt', name: 'p' },
        argument: { name: 'a', value: '' },
      }),
      undefined,
    );
    assert.equal(validateRequestParams('tools/list', {}), undefined);
    assert.equal(validateRequestParams('unknown/method', { anything: 1 }), undefined);
  });
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['tools/call', {}, /"name" is required/],
    ['tools/call', { name: 3 }, /"name" must be a string/],
    ['tools/call', { name: 'x', arguments: [] }, /"arguments" must be an object/],
    ['tools/call', { name: 'x', requestState: 1 }, /"requestState"/],
    ['prompts/get', { name: 'p', arguments: { a: 1 } }, /object of strings/],
    ['resources/read', { uri: null }, /"uri"/],
    ['tools/list', { cursor: 5 }, /"cursor" must be a string/],
    ['completion/complete', { ref: { type: 'ref/other' }, argument: { name: 'a', value: 'b' } }, /"ref"/],
    ['logging/setLevel', { level: 'loud' }, /"level" must be one of/],
    ['initialize', { protocolVersion: '2025-06-18', capabilities: {} }, /"clientInfo" is required/],
    ['subscriptions/listen', { notifications: { toolsListChanged: 'yes' } }, /SubscriptionFilter/],
    ['tools/list', { _meta: 'x' }, /"_meta" must be an object/],
  ];
  for (const [method, params, re] of bad) {
    it(`rejects ${method} ${JSON.stringify(params)}`, () => {
      const e = validateRequestParams(method, params);
      assert.ok(e);
      assert.equal(e.code, -32602);
      assert.match(e.message, re);
    });
  }
});

describe('_meta keys', () => {
  it('follows the prefix/name syntax', () => {
    for (const k of [
      'progressToken',
      'io.modelcontextprotocol/protocolVersion',
      'com.example/x',
      'a/',
      'traceparent',
      'x-y.z_w',
    ])
      assert.ok(isValidMetaKey(k), k);
    for (const k of ['-x', 'x-', '1abc/x', 'a..b/x', 'a./x', 'a/b/c', 'a b']) assert.ok(!isValidMetaKey(k), k);
  });
  it('knows the reserved prefixes', () => {
    assert.ok(isReservedMetaKey('io.modelcontextprotocol/x'));
    assert.ok(isReservedMetaKey('dev.mcp/x'));
    assert.ok(!isReservedMetaKey('com.example.mcp/x'));
    assert.ok(!isReservedMetaKey('progressToken'));
  });
});
