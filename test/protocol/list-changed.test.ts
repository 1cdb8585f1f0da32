// The list-changed table: event type ⇄ notification method ⇄ subscription flag, one place for all sides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_CHANGED, listChangedOf } from '../../src/protocol/list-changed.js';

describe('list-changed table', () => {
  it('maps each event type and notification method to its list', () => {
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      const byEvent = listChangedOf(`${kind}/list_changed`);
      assert.equal(byEvent?.kind, kind);
      assert.equal(byEvent?.method, `notifications/${kind}/list_changed`);
      assert.equal(byEvent?.filter, `${kind}ListChanged`);
      assert.equal(listChangedOf(`notifications/${kind}/list_changed`), byEvent);
      assert.equal(LIST_CHANGED[kind], byEvent);
    }
  });
  it('knows nothing else', () => {
    for (const name of ['resources/updated', 'notifications/resources/updated', 'task', 'toString', '__proto__'])
      assert.equal(listChangedOf(name), undefined);
  });
});
