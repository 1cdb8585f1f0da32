// Linear-time matching of a URI against a parsed RFC 6570 template: one left-to-right pass, no
// backtracking. Each expression is a two-state scanner (optional leading operator character, then a
// character class); the literal text after it is found with KMP, so every URI character is looked at
// a bounded number of times whatever the template or the URI.

/** What an operator's expansion may look like: an optional leading character, then anything but `stop`. */
export interface Scan {
  first: string;
  stop: string;
}

/** One step of the matcher: a literal to compare, or an expression to scan up to the next literal. */
export type Step = { lit: string; fail: Int32Array } | { scan: Scan; next: { lit: string; fail: Int32Array } | undefined };

/**
 * Work done by `matchSpans` so far: characters scanned or compared. Internal (not in the package
 * exports): the linearity test reads it instead of timing anything.
 */
export const matchSteps = { count: 0 };

/** KMP failure table: fail[i] = length of the longest proper border of lit[0..i]. */
export function failureTable(lit: string): Int32Array {
  const fail = new Int32Array(lit.length);
  let k = 0;
  for (let i = 1; i < lit.length; i++) {
    while (k > 0 && lit[i] !== lit[k]) k = fail[k - 1]!;
    if (lit[i] === lit[k]) k++;
    fail[i] = k;
  }
  return fail;
}

/**
 * The [start, end) span of each expression of `steps` in `uri`, or undefined when it does not fit.
 * An expression ends at the first place its next literal matches, or where it meets a character it
 * cannot contain; with no literal ahead it takes all it can.
 */
export function matchSpans(steps: readonly Step[], uri: string): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let pos = 0;
  let work = 0;
  try {
    for (const step of steps) {
      if ('lit' in step) {
        work += step.lit.length;
        if (!uri.startsWith(step.lit, pos)) return undefined;
        pos += step.lit.length;
        continue;
      }
      const r = scanExpr(uri, pos, step.scan, step.next);
      work += r.work;
      spans.push([pos, r.end]);
      pos = r.end;
    }
    return pos === uri.length ? spans : undefined;
  } finally {
    matchSteps.count += work;
  }
}

function scanExpr(uri: string, pos: number, scan: Scan, next: { lit: string; fail: Int32Array } | undefined): { end: number; work: number } {
  const n = uri.length;
  let dead = -1; // first position the expression cannot extend past
  let k = 0; // KMP state: characters of the next literal matched so far
  let work = 0;
  const lit = next?.lit ?? '';
  for (let j = pos; j < n; j++) {
    work++;
    const c = uri[j]!;
    if (dead < 0) {
      const ok = j === pos && scan.first ? c === scan.first : !scan.stop.includes(c);
      if (!ok) dead = j;
    }
    if (!next) {
      if (dead >= 0) return { end: dead, work };
      continue;
    }
    while (k > 0 && c !== lit[k]) {
      work++;
      k = next.fail[k - 1]!;
    }
    if (c === lit[k]) k++;
    if (k === lit.length) {
      const start = j - lit.length + 1;
      if (dead < 0 || start <= dead) return { end: start, work };
      k = next.fail[k - 1]!;
    }
    // No occurrence can start at or before `dead` any more.
    if (dead >= 0 && j - dead >= lit.length - 1) return { end: dead, work };
  }
  return { end: dead >= 0 ? dead : n, work };
}
