// One definition of "a subscription to X covers an update of Y", shared by server routing, the legacy
// client filter and the client cache (issue 7, item 17).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uriCovers } from '../../src/protocol/uri.js';

describe('uriCovers', () => {
  it('covers the same URI and sub-resources below a "/" boundary, never a longer sibling', () => {
    const yes: [string, string][] = [
      ['file:///a', 'file:///a'],
      ['file:///a', 'file:///a/b'],
      ['file:///a', 'file:///a/b/c'],
      ['file:///a/', 'file:///a/b'],
      ['app://config', 'app://config'],
    ];
    const no: [string, string][] = [
      ['file:///a', 'file:///ab'],
      ['file:///a', 'file:///a.txt'],
      ['file:///a', 'file:///a?x=1'],
      ['file:///a/b', 'file:///a'],
      ['file:///a/', 'file:///a'],
      ['app://config', 'app://configuration'],
    ];
    for (const [w, u] of yes) assert.equal(uriCovers(w, u), true, `${w} covers ${u}`);
    for (const [w, u] of no) assert.equal(uriCovers(w, u), false, `${w} does not cover ${u}`);
  });
});
