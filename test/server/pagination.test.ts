// Cursor pagination: stable, opaque, and an invalid cursor is -32602.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paginate } from '../../src/server/pagination.js';
import { McpError } from '../../src/protocol/errors.js';

describe('paginate', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it('walks every page exactly once', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = paginate(items, (x) => x, cursor, 2);
      seen.push(...r.page);
      cursor = r.nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(seen, items);
  });
  it('keeps a page boundary when items are added before it', () => {
    const first = paginate(items, (x) => x, undefined, 2);
    const next = paginate(['0', ...items], (x) => x, first.nextCursor, 2);
    assert.deepEqual(next.page, ['c', 'd']);
  });
  it('rejects a forged or stale cursor', () => {
    assert.throws(
      () => paginate(items, (x) => x, 'not-a-cursor!', 2),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    const first = paginate(items, (x) => x, undefined, 2);
    assert.throws(
      () => paginate(['z'], (x) => x, first.nextCursor, 2),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
    assert.throws(
      () => paginate(items, (x) => x, 42, 2),
      (e: unknown) => e instanceof McpError && e.code === -32602,
    );
  });
});
