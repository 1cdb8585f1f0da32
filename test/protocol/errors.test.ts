// toJsonRpcError: the one place a thrown value becomes the JSON-RPC error object sent back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, McpError, toJsonRpcError } from '../../src/protocol/errors.js';

describe('toJsonRpcError', () => {
  it('sends an McpError as it is, without calling onUnexpected', () => {
    let calls = 0;
    const e = new McpError(ErrorCode.InvalidParams, 'bad', { field: 'x' });
    assert.deepEqual(
      toJsonRpcError(e, () => void calls++),
      { code: -32602, message: 'bad', data: { field: 'x' } },
    );
    assert.equal(calls, 0);
  });

  it('hides anything else behind -32603 and reports it to onUnexpected once', () => {
    const seen: unknown[] = [];
    const boom = new Error('secret detail');
    assert.deepEqual(
      toJsonRpcError(boom, (x) => void seen.push(x)),
      { code: ErrorCode.InternalError, message: 'Internal error' },
    );
    assert.deepEqual(seen, [boom]);
    assert.deepEqual(toJsonRpcError('a string'), { code: -32603, message: 'Internal error' });
  });

  it('sends what onUnexpected returns, when it returns an error object', () => {
    assert.deepEqual(
      toJsonRpcError(new Error('x'), () => ({ code: -32000, message: 'custom' })),
      { code: -32000, message: 'custom' },
    );
  });
});
