// Elicitation on the terminal: the server's form asked field by field (by JSON Schema type: string,
// number, integer, boolean, enum, multi-select), a URL shown to open. Without a terminal on stdin it
// refuses with a message that says why, since nobody could answer.
import { createInterface, type Interface } from 'node:readline';
import type { ElicitParams, ElicitResult } from '../protocol/types.js';

type Value = string | number | boolean | string[];
type Field = { [key: string]: unknown };

/** Stdin is not a terminal: the CLI cannot ask (exit 1 with this message). */
export class NoTerminalError extends Error {
  override readonly name = 'NoTerminalError';
  constructor(message: string) {
    super(
      `The server asks for input ("${message}"), but stdin is not a terminal, so nobody can answer. ` +
        'Run the command in a terminal, or call a tool that does not ask.',
    );
  }
}

const MAX_TRIES = 5;

/** The choices of an enum-like schema: value and label. */
function choices(f: Field): { value: string; label: string }[] | undefined {
  const one = (f.oneOf ?? f.anyOf) as { const?: unknown; title?: string }[] | undefined;
  if (Array.isArray(one) && one.every((o) => typeof o?.const === 'string'))
    return one.map((o) => ({ value: o.const as string, label: o.title ?? (o.const as string) }));
  if (Array.isArray(f.enum)) {
    const names = Array.isArray(f.enumNames) ? (f.enumNames as string[]) : [];
    return (f.enum as unknown[]).map((v, i) => ({ value: String(v), label: names[i] ?? String(v) }));
  }
  return undefined;
}

/** Turn one answer into a value of the field's type, or say what was expected. */
export function parseAnswer(f: Field, text: string): { value: Value } | { error: string } {
  const t = text.trim();
  if (f.type === 'array') {
    const opts = choices((f.items ?? {}) as Field) ?? [];
    const picked = t === '' ? [] : t.split(',').map((s) => s.trim());
    const values: string[] = [];
    for (const p of picked) {
      const byIndex = /^\d+$/.test(p) ? opts[Number(p) - 1] : undefined;
      const hit = byIndex ?? opts.find((o) => o.value === p);
      if (!hit) return { error: `"${p}" is not one of the choices: give their numbers, separated by commas` };
      values.push(hit.value);
    }
    return { value: values };
  }
  const opts = choices(f);
  if (opts) {
    const hit = (/^\d+$/.test(t) ? opts[Number(t) - 1] : undefined) ?? opts.find((o) => o.value === t);
    return hit ? { value: hit.value } : { error: `expected one of the numbers 1-${opts.length} or a value listed` };
  }
  if (f.type === 'boolean') {
    if (/^(y|yes|true)$/i.test(t)) return { value: true };
    if (/^(n|no|false)$/i.test(t)) return { value: false };
    return { error: 'expected y or n' };
  }
  if (f.type === 'number' || f.type === 'integer') {
    const n = Number(t);
    if (t === '' || !Number.isFinite(n)) return { error: `expected a number, got "${t}"` };
    if (f.type === 'integer' && !Number.isInteger(n)) return { error: `expected a whole number, got "${t}"` };
    return { value: n };
  }
  return { value: t };
}

function hint(f: Field): string {
  if (f.type === 'boolean') return 'y/n';
  if (f.type === 'integer') return 'whole number';
  if (f.type === 'number') return 'number';
  if (f.type === 'array') return 'numbers, comma-separated';
  return choices(f) ? 'number' : typeof f.format === 'string' ? f.format : 'text';
}

export interface TerminalElicitation {
  handler: (params: ElicitParams) => Promise<ElicitResult>;
  close(): void;
}

/**
 * The elicitation handler for the CLI. `before` runs before anything is written (to clear the progress
 * bar); `interrupt` is called on Ctrl-C while a question is open (readline takes the key from the process).
 */
export function terminalElicitation(before: () => void, interrupt: () => void): TerminalElicitation {
  let rl: Interface | undefined;
  let closed = false;
  const open = () => {
    if (!rl) {
      rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      rl.on('SIGINT', interrupt);
      rl.on('close', () => void (closed = true));
    }
    return rl;
  };
  const ask = (q: string) =>
    new Promise<string | undefined>((resolve) => {
      const r = open();
      if (closed) return resolve(undefined);
      const onClose = () => resolve(undefined);
      r.once('close', onClose);
      r.question(q, (a) => {
        r.off('close', onClose);
        resolve(a);
      });
    });

  const handler = async (params: ElicitParams): Promise<ElicitResult> => {
    if (!process.stdin.isTTY) throw new NoTerminalError(params.message);
    before();
    const say = (t: string) => void process.stderr.write(t);
    say(`\n${params.message}\n`);
    if (params.mode === 'url') {
      say(`Open this URL: ${params.url}\n`);
      const a = await ask('Done? [Y/n] ');
      return a !== undefined && !/^n/i.test(a.trim()) ? { action: 'accept' } : { action: 'decline' };
    }
    say('(Enter keeps the [default]; Ctrl-D declines)\n');
    const schema = params.requestedSchema;
    const required = new Set(schema.required ?? []);
    const content: { [key: string]: Value } = {};
    for (const [name, raw] of Object.entries(schema.properties)) {
      const f = raw as Field;
      const opts = choices(f.type === 'array' ? ((f.items ?? {}) as Field) : f);
      if (opts) say(`${opts.map((o, i) => `  ${i + 1}) ${o.label}`).join('\n')}\n`);
      const label = `${(f.title as string | undefined) ?? name}${f.description ? ` (${f.description as string})` : ''}`;
      const def =
        f.default !== undefined ? ` [${Array.isArray(f.default) ? f.default.join(',') : String(f.default)}]` : '';
      for (let tries = 0; ; tries++) {
        if (tries === MAX_TRIES) return { action: 'cancel' };
        const a = await ask(`${label} <${hint(f)}>${required.has(name) ? ' *' : ''}${def}: `);
        if (a === undefined) return { action: 'decline' };
        if (a.trim() === '') {
          if (f.default !== undefined) content[name] = f.default as Value;
          else if (required.has(name)) {
            say('  this field is required\n');
            continue;
          }
          break;
        }
        const v = parseAnswer(f, a);
        if ('error' in v) {
          say(`  ${v.error}\n`);
          continue;
        }
        content[name] = v.value;
        break;
      }
    }
    return { action: 'accept', content };
  };
  return { handler, close: () => rl?.close() };
}
