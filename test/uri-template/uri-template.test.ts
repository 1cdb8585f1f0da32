// RFC 6570 expansion (levels 1–4, examples from the RFC) and matching back to variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UriTemplate } from '../../src/uri-template/index.js';
import { matchSteps } from '../../src/uri-template/match.js';
import { TsmcpError } from '../../src/index.js';

const vars = {
  var: 'value',
  hello: 'Hello World!',
  path: '/foo/bar',
  empty: '',
  x: '1024',
  y: '768',
  list: ['red', 'green', 'blue'],
  undef: undefined,
};

const cases: [string, string][] = [
  ['{var}', 'value'],
  ['{hello}', 'Hello%20World%21'],
  ['{+var}', 'value'],
  ['{+hello}', 'Hello%20World!'],
  ['{+path}/here', '/foo/bar/here'],
  ['here?ref={+path}', 'here?ref=/foo/bar'],
  ['X{#var}', 'X#value'],
  ['X{#hello}', 'X#Hello%20World!'],
  ['map?{x,y}', 'map?1024,768'],
  ['{x,hello,y}', '1024,Hello%20World%21,768'],
  ['{+x,hello,y}', '1024,Hello%20World!,768'],
  ['{#x,hello,y}', '#1024,Hello%20World!,768'],
  ['X{.var}', 'X.value'],
  ['X{.x,y}', 'X.1024.768'],
  ['{/var}', '/value'],
  ['{/var,x}/here', '/value/1024/here'],
  ['{;x,y}', ';x=1024;y=768'],
  ['{;x,y,empty}', ';x=1024;y=768;empty'],
  ['{?x,y}', '?x=1024&y=768'],
  ['{?x,y,empty}', '?x=1024&y=768&empty='],
  ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
  ['{var:3}', 'val'],
  ['{list}', 'red,green,blue'],
  ['{list*}', 'red,green,blue'],
  ['{/list*}', '/red/green/blue'],
  ['{.list*}', '.red.green.blue'],
  ['{?list*}', '?list=red&list=green&list=blue'],
  ['{?list}', '?list=red,green,blue'],
  ['{undef}', ''],
  ['x{?undef}', 'x'],
];

describe('UriTemplate.expand (RFC 6570 examples)', () => {
  for (const [t, expected] of cases) {
    it(`${t} → ${expected}`, () => assert.equal(new UriTemplate(t).expand(vars), expected));
  }
});

describe('UriTemplate.match', () => {
  it('matches simple path variables', () => {
    assert.deepEqual(new UriTemplate('test://template/{id}/data').match('test://template/123/data'), { id: '123' });
    assert.equal(new UriTemplate('test://template/{id}/data').match('test://template/123/other'), undefined);
    assert.equal(new UriTemplate('test://template/{id}/data').match('test://template/1/2/data'), undefined);
  });
  it('matches reserved expansion across slashes', () => {
    assert.deepEqual(new UriTemplate('file:///{+path}').match('file:///a/b/c.txt'), { path: 'a/b/c.txt' });
  });
  it('matches query parameters in any order and percent-decodes', () => {
    const t = new UriTemplate('search://items{?q,lang}');
    assert.deepEqual(t.match('search://items?q=green%20tea&lang=en'), { q: 'green tea', lang: 'en' });
    assert.deepEqual(t.match('search://items?lang=en&q=tea'), { q: 'tea', lang: 'en' });
    assert.deepEqual(t.match('search://items'), {});
  });
  it('round-trips expand then match', () => {
    for (const t of ['a://{x}/{y}', 'a://b{/list*}', 'a://b{?x,y}', 'a://{+path}{#frag}']) {
      const tpl = new UriTemplate(t);
      const values = { x: 'one two', y: 'ü', list: ['p', 'q'], path: 'dir/file', frag: 'top' };
      const m = tpl.match(tpl.expand(values));
      assert.ok(m, t);
      for (const name of tpl.variableNames)
        assert.deepEqual(m[name], values[name as keyof typeof values], `${t} ${name}`);
    }
  });
  it('is linear on adversarial input and refuses huge URIs', () => {
    const t = new UriTemplate('x://{a}{/b*}{?c,d}');
    // An operation count, not a clock (linear.test.ts has the property test).
    const uri = `x://${'a'.repeat(50_000)}${'/b'.repeat(5_000)}?`;
    const before = matchSteps.count;
    t.match(uri);
    assert.ok(matchSteps.count - before <= 6 * 4 * uri.length); // 6 per character and template part
    assert.equal(t.match(`x://${'a'.repeat(70_000)}`), undefined);
  });
  it('rejects malformed templates', () => {
    for (const bad of ['x://{a', 'x://a}', 'x://{}', 'x://{a b}', 'x://{=a}', 'x://{a:0}', 'x://{{a}}']) {
      assert.throws(
        () => new UriTemplate(bad),
        (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION',
        bad,
      );
    }
  });
});
