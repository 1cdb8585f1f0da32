// Matching is linear in the URI length: an operation count (the matcher's internal step counter), not a
// clock, bounds the work for random templates and adversarial URIs up to 64 KiB. The bound is per
// template part (literal or expression): the server's author fixes those, an attacker only the URI.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UriTemplate, MAX_URI_LENGTH } from '../../src/uri-template/index.js';
import { matchSteps } from '../../src/uri-template/match.js';

/** Steps per URI character and template part the matcher may spend. */
const C = 6;
/** Literal texts and expressions of a template. */
const partsOf = (tpl: string) => tpl.split(/(\{[^}]*\})/).filter(Boolean).length;
const bound = (tpl: string, uri: string) => C * partsOf(tpl) * (uri.length + 1);

function stepsOf(t: UriTemplate, uri: string): { steps: number; match: ReturnType<UriTemplate['match']> } {
  const before = matchSteps.count;
  const match = t.match(uri);
  return { steps: matchSteps.count - before, match };
}

// Templates of realistic shapes: literals made of the separators URIs use, every operator, lists,
// explode and prefix modifiers.
const literal = fc.constantFrom(
  'x://',
  'db://',
  '/',
  '.',
  '-',
  '/data',
  'a',
  ',',
  '=',
  '.a.',
  '/a/',
  '?q=',
  '&',
  'aa.',
);
const op = fc.constantFrom('', '+', '#', '.', '/', ';', '?', '&');
const varspec = fc
  .tuple(fc.constantFrom('a', 'b', 'c', 'name', 'ext'), fc.constantFrom('', '*', ':3'))
  .map(([n, m]) => n + m);
const expr = fc
  .tuple(op, fc.uniqueArray(varspec, { minLength: 1, maxLength: 3, selector: (v) => v.replace(/[*:3]/g, '') }))
  .map(([o, vs]) => `{${o}${vs.join(',')}}`);
const template = fc.array(fc.oneof(literal, expr), { minLength: 1, maxLength: 7 }).map((parts) => parts.join(''));
// Adversarial URIs: a short unit of separator characters repeated up to 64 KiB, with a prefix and a tail.
const unit = fc.string({
  unit: fc.constantFrom('.', '/', 'a', '?', '&', '=', '#', ',', ';', '-', '%'),
  minLength: 1,
  maxLength: 8,
});
const adversarial = fc
  .tuple(
    fc.constantFrom('', 'x://', 'db://'),
    unit,
    fc.integer({ min: 1, max: 64 * 1024 }),
    fc.constantFrom('', '/', '?', '#', 'a', '.'),
  )
  .map(
    ([head, u, len, tail]) =>
      (head + u.repeat(Math.ceil(len / u.length))).slice(0, MAX_URI_LENGTH - tail.length) + tail,
  );

describe('UriTemplate.match is linear', () => {
  it('steps ≤ C·parts·length for random templates and adversarial URIs up to 64 KiB', () => {
    fc.assert(
      fc.property(template, adversarial, (tpl, uri) => {
        const t = new UriTemplate(tpl);
        const { steps } = stepsOf(t, uri);
        return steps <= bound(tpl, uri);
      }),
      { numRuns: 300 },
    );
  });

  it('steps ≤ C·parts·length on expansions of the template (long values in every variable), which match again', () => {
    fc.assert(
      fc.property(
        template,
        fc.string({ unit: fc.constantFrom('a', '.', '/', ',', '-'), maxLength: 64 }),
        fc.integer({ min: 1, max: 500 }),
        (tpl, value, times) => {
          const t = new UriTemplate(tpl);
          const v = value.repeat(times);
          const uri = t.expand(Object.fromEntries(t.variableNames.map((n) => [n, v])));
          if (uri.length > MAX_URI_LENGTH) return true;
          const { steps, match } = stepsOf(t, uri);
          // The values may split differently (ambiguous templates), but an expansion always matches.
          return match !== undefined && steps <= bound(tpl, uri);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the shapes of the report: {name}.{ext} and {schema}.{table}.{column} at 64 KiB', () => {
    for (const tpl of [
      'x://{name}.{ext}',
      'db://{schema}.{table}.{column}',
      'x://{a}{/b*}{?c,d}',
      'x://{+path}/data',
    ]) {
      const t = new UriTemplate(tpl);
      const head = tpl.slice(0, tpl.indexOf('{'));
      for (const body of ['.', 'a.', './', '.a/', '/dat']) {
        const uri = `${(head + body.repeat(MAX_URI_LENGTH)).slice(0, MAX_URI_LENGTH - 1)}/`;
        const { steps } = stepsOf(t, uri);
        assert.ok(
          steps <= bound(tpl, uri),
          `${tpl} on ${JSON.stringify(body)}×: ${steps} steps for ${uri.length} characters`,
        );
      }
    }
  });
});

describe('UriTemplate.match on ambiguous templates (documented rule)', () => {
  it('each expression from the left takes the longest text that lets the rest match', () => {
    assert.deepEqual(new UriTemplate('x://{name}.{ext}').match('x://a.b.c'), { name: 'a.b', ext: 'c' });
    assert.deepEqual(new UriTemplate('db://{schema}.{table}.{column}').match('db://a.b.c.d'), {
      schema: 'a.b',
      table: 'c',
      column: 'd',
    });
    assert.equal(new UriTemplate('db://{schema}.{table}.{column}').match('db://a.b'), undefined);
    assert.deepEqual(new UriTemplate('x://{+dir}/{name}.json').match('x://a/b/c.d.json'), { dir: 'a/b', name: 'c.d' });
    assert.deepEqual(new UriTemplate('x://{&a}&').match('x://&a=&'), { a: '' });
  });
  it('an expression stops at a character its operator cannot produce', () => {
    assert.deepEqual(new UriTemplate('x://{a}{/b*}{?c,d}').match('x://p/q/r?c=1&d=2'), {
      a: 'p',
      b: ['q', 'r'],
      c: '1',
      d: '2',
    });
    assert.deepEqual(new UriTemplate('x://{+path}/data').match('x://a/b/data'), { path: 'a/b' });
    assert.equal(new UriTemplate('x://{id}/data').match('x://a/b/data'), undefined);
  });
});
