// Matching a URI against a parsed RFC 6570 template without backtracking. Every expression's expansion
// is "optional leading operator character, then characters outside a stop set", a prefix-closed shape,
// so one right-to-left pass per template part finds where each part can start with the rest still
// matching, and one left-to-right pass picks the split. Work: O(parts × URI length), never more.

/** What an operator's expansion may look like: an optional leading character, then anything but `stop`. */
export interface Scan {
  first: string;
  stop: string;
}

/** One part of a compiled template: a literal (with its KMP table) or an expression's shape. */
export type Step = { lit: string; fail: Int32Array } | { scan: Scan };

/**
 * Work done by `matchSpans` so far: characters scanned or compared. Internal (not in the package
 * exports): the linearity tests read it instead of timing anything.
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
 * Where several splits fit, each expression in turn takes the longest text that still lets the rest
 * of the template match (what a greedy backtracking regex would pick, found without backtracking).
 */
export function matchSpans(steps: readonly Step[], uri: string): [number, number][] | undefined {
  const n = uri.length;
  const work = { n: 0 };
  try {
    // reach[i][pos] = 1 when parts i.. match uri[pos..].
    const reach: Uint8Array[] = new Array(steps.length + 1);
    reach[steps.length] = new Uint8Array(n + 1);
    reach[steps.length]![n] = 1;
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      reach[i] =
        'lit' in step ? reachLiteral(uri, step, reach[i + 1]!, work) : reachExpr(uri, step.scan, reach[i + 1]!, work);
    }
    if (!reach[0]![0]) return undefined;
    const spans: [number, number][] = [];
    let pos = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if ('lit' in step) {
        pos += step.lit.length;
        continue;
      }
      // The furthest this expression can reach, then back to the last end the rest accepts.
      let end = pos;
      const { first, stop } = step.scan;
      if (!first || uri[pos] === first) {
        if (first) end++;
        while (end < n && !stop.includes(uri[end]!)) end++;
      }
      work.n += end - pos;
      const next = reach[i + 1]!;
      while (!next[end]) {
        end--;
        work.n++;
      }
      spans.push([pos, end]);
      pos = end;
    }
    return spans;
  } finally {
    matchSteps.count += work.n;
  }
}

/** Positions where `lit` occurs and the rest matches after it (KMP: at most 2n comparisons). */
function reachLiteral(
  uri: string,
  step: { lit: string; fail: Int32Array },
  next: Uint8Array,
  work: { n: number },
): Uint8Array {
  const { lit, fail } = step;
  const r = new Uint8Array(uri.length + 1);
  let k = 0;
  for (let j = 0; j < uri.length; j++) {
    work.n++;
    const c = uri[j];
    while (k > 0 && c !== lit[k]) {
      work.n++;
      k = fail[k - 1]!;
    }
    if (c === lit[k]) k++;
    if (k === lit.length) {
      if (next[j + 1]) r[j + 1 - lit.length] = 1;
      k = fail[k - 1]!;
    }
  }
  return r;
}

/** Positions where the expression can start and end somewhere the rest matches from. */
function reachExpr(uri: string, scan: Scan, next: Uint8Array, work: { n: number }): Uint8Array {
  const n = uri.length;
  // last[x]: the largest e ≤ x where the rest matches, or -1.
  const last = new Int32Array(n + 1);
  let seen = -1;
  for (let x = 0; x <= n; x++) {
    if (next[x]) seen = x;
    last[x] = seen;
  }
  // Right to left: runEnd = first position ≥ pos holding a stop character (or n).
  const r = new Uint8Array(n + 1);
  let runEnd = n;
  for (let pos = n; pos >= 0; pos--) {
    const runAfter = runEnd; // first stop character at or after pos + 1
    if (pos < n && scan.stop.includes(uri[pos]!)) runEnd = pos;
    const furthest = scan.first ? (uri[pos] === scan.first ? runAfter : pos) : runEnd;
    if (last[furthest]! >= pos) r[pos] = 1;
  }
  work.n += 2 * (n + 1);
  return r;
}
