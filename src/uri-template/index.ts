// RFC 6570 URI templates (levels 1–4): expansion, and matching a URI back to its variables, for MCP
// resource templates. Parsed once at construction; matching never backtracks (match.ts).
import { TsmcpError } from '../protocol/errors.js';
import { failureTable, matchSpans, matchSteps, type Scan, type Step } from './match.js';

type Op = '' | '+' | '#' | '.' | '/' | ';' | '?' | '&';
interface VarSpec {
  name: string;
  explode: boolean;
  prefix: number | undefined;
}
interface Expr {
  op: Op;
  vars: VarSpec[];
}
type Part = string | Expr;

const RULES: { [op in Op]: { first: string; sep: string; named: boolean; ifemp: string; reserved: boolean } } = {
  '': { first: '', sep: ',', named: false, ifemp: '', reserved: false },
  '+': { first: '', sep: ',', named: false, ifemp: '', reserved: true },
  '#': { first: '#', sep: ',', named: false, ifemp: '', reserved: true },
  '.': { first: '.', sep: '.', named: false, ifemp: '', reserved: false },
  '/': { first: '/', sep: '/', named: false, ifemp: '', reserved: false },
  ';': { first: ';', sep: ';', named: true, ifemp: '', reserved: false },
  '?': { first: '?', sep: '&', named: true, ifemp: '=', reserved: false },
  '&': { first: '&', sep: '&', named: true, ifemp: '=', reserved: false },
};
/** The shape of each operator's expansion, for matching (what RULES produce, read backwards). */
const SCAN: { [op in Op]: Scan } = {
  '': { first: '', stop: '/?#' },
  '+': { first: '', stop: '?#' },
  '#': { first: '#', stop: '' },
  '.': { first: '.', stop: '/?#' },
  '/': { first: '/', stop: '?#' },
  ';': { first: ';', stop: '/?#' },
  '?': { first: '?', stop: '#' },
  '&': { first: '&', stop: '#' },
};
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;
/** Longest URI `match` looks at (64 KiB); longer ones never match. Servers bound URIs further (`maxUriLength`). */
export const MAX_URI_LENGTH = 64 * 1024;

export type TemplateValue = string | string[] | undefined;
export type TemplateMatch = { [name: string]: string | string[] };

function encode(s: string, reserved: boolean): string {
  let out = '';
  const bytes = new TextEncoder().encode(s);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c)) out += c;
    else if (reserved && /[:/?#[\]@!$&'()*+,;=]/.test(c)) out += c;
    else if (reserved && c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A parsed URI template.
 * @example new UriTemplate('test://template/{id}/data').match('test://template/123/data') // { id: '123' }
 */
export class UriTemplate {
  readonly #template: string;
  readonly #parts: Part[];
  readonly #steps: Step[];
  readonly #exprs: Expr[];
  /** Every variable name, in order of appearance. */
  readonly variableNames: string[];

  constructor(template: string) {
    this.#template = template;
    this.#parts = parse(template);
    this.#exprs = this.#parts.filter((p): p is Expr => typeof p !== 'string');
    this.variableNames = this.#exprs.flatMap((e) => e.vars.map((v) => v.name));
    this.#steps = compile(this.#parts);
  }

  toString(): string {
    return this.#template;
  }

  /** Expand with the given values; undefined values (and empty lists) are left out as the RFC says. */
  expand(vars: { [name: string]: TemplateValue }): string {
    return this.#parts.map((p) => (typeof p === 'string' ? p : expandExpr(p, vars))).join('');
  }

  /**
   * The variables of `uri` if it fits this template, else undefined. Work is linear in `uri.length`
   * (O(template parts × length), no backtracking); URIs over MAX_URI_LENGTH never match. Where the
   * template is ambiguous, each expression from the left takes the longest text that still lets the
   * rest match (the split a greedy regex would find): `{name}.{ext}` on `a.b.c` gives name `a.b`,
   * ext `c`; `{s}.{t}.{c}` on `a.b.c.d` gives `a.b`, `c`, `d`.
   */
  match(uri: string): TemplateMatch | undefined {
    if (uri.length > MAX_URI_LENGTH) return undefined;
    const spans = matchSpans(this.#steps, uri);
    if (!spans) return undefined;
    const out: TemplateMatch = {};
    for (let i = 0; i < this.#exprs.length; i++) {
      const [start, end] = spans[i]!;
      matchSteps.count += end - start; // readExpr splits and decodes its span once
      if (!readExpr(this.#exprs[i]!, uri.slice(start, end), out)) return undefined;
    }
    return out;
  }
}

function parse(t: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  const bad = (why: string) =>
    new TsmcpError('TSMCP_INVALID_DEFINITION', `Invalid URI template ${JSON.stringify(t)}: ${why}`);
  while (i < t.length) {
    const open = t.indexOf('{', i);
    const close = t.indexOf('}', i);
    if (close >= 0 && (open < 0 || close < open)) throw bad('unmatched "}"');
    if (open < 0) {
      parts.push(t.slice(i));
      break;
    }
    if (open > i) parts.push(t.slice(i, open));
    const end = t.indexOf('}', open);
    if (end < 0) throw bad('unclosed "{"');
    let body = t.slice(open + 1, end);
    if (body.includes('{')) throw bad('nested "{"');
    let op: Op = '';
    if (body && '+#./;?&'.includes(body[0]!)) {
      op = body[0] as Op;
      body = body.slice(1);
    } else if (body && '=,!@|'.includes(body[0]!)) throw bad(`reserved operator "${body[0]}"`);
    if (!body) throw bad('empty expression');
    const vars = body.split(',').map((spec): VarSpec => {
      let name = spec;
      let explode = false;
      let prefix: number | undefined;
      if (name.endsWith('*')) {
        explode = true;
        name = name.slice(0, -1);
      } else {
        const c = name.indexOf(':');
        if (c >= 0) {
          const n = name.slice(c + 1);
          if (!/^[1-9][0-9]{0,3}$/.test(n)) throw bad(`bad prefix in "${spec}"`);
          prefix = Number(n);
          name = name.slice(0, c);
        }
      }
      if (!VARNAME.test(name)) throw bad(`bad variable name "${name}"`);
      return { name, explode, prefix };
    });
    parts.push({ op, vars });
    i = end + 1;
  }
  return parts;
}

function expandExpr(e: Expr, vars: { [name: string]: TemplateValue }): string {
  const r = RULES[e.op];
  const items: string[] = [];
  for (const v of e.vars) {
    const value = vars[v.name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (typeof value === 'string') {
      const s = encode(v.prefix ? Array.from(value).slice(0, v.prefix).join('') : value, r.reserved);
      items.push(r.named ? (s === '' ? `${v.name}${r.ifemp}` : `${v.name}=${s}`) : s);
    } else if (v.explode) {
      items.push(
        value
          .map((x) =>
            r.named ? (x === '' ? `${v.name}${r.ifemp}` : `${v.name}=${encode(x, r.reserved)}`) : encode(x, r.reserved),
          )
          .join(r.sep),
      );
    } else {
      const joined = value.map((x) => encode(x, r.reserved)).join(',');
      items.push(r.named ? `${v.name}=${joined}` : joined);
    }
  }
  return items.length ? r.first + items.join(r.sep) : '';
}

/** Matching steps: literals with their KMP tables, expressions as the shape of their expansion. */
function compile(parts: Part[]): Step[] {
  return parts.map((p) => (typeof p === 'string' ? { lit: p, fail: failureTable(p) } : { scan: SCAN[p.op] }));
}

function readExpr(e: Expr, text: string, out: TemplateMatch): boolean {
  const r = RULES[e.op];
  if (text === '') return true;
  if (r.first && !text.startsWith(r.first)) return false;
  const body = text.slice(r.first.length);
  if (r.named) {
    const pairs = body.split(r.sep);
    const byName = new Map<string, string[]>();
    for (const p of pairs) {
      const eq = p.indexOf('=');
      const name = decode(eq < 0 ? p : p.slice(0, eq));
      const value = eq < 0 ? '' : decode(p.slice(eq + 1));
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name)!.push(value);
    }
    for (const v of e.vars) {
      const vals = byName.get(v.name);
      if (!vals) continue;
      out[v.name] = v.explode
        ? vals
        : vals.length === 1 && !vals[0]!.includes(',')
          ? vals[0]!
          : vals.join(',').split(',');
    }
    return true;
  }
  const pieces = e.op === '' || e.op === '+' || e.op === '#' ? body.split(',') : body.split(r.sep);
  if (e.vars.length === 1) {
    const v = e.vars[0]!;
    if (v.explode) out[v.name] = pieces.map(decode);
    else if (e.op === '' || e.op === '+' || e.op === '#') out[v.name] = decode(body);
    else out[v.name] = pieces.length === 1 ? decode(pieces[0]!) : pieces.map(decode);
    return true;
  }
  e.vars.forEach((v, i) => {
    if (i < pieces.length) out[v.name] = decode(pieces[i]!);
  });
  return true;
}
