// Reads what the start of an over-long JSON-RPC line says about it (its id, request or response) without
// the rest, so that the request it belongs to can fail at once instead of waiting for a timeout.
import type { RequestId } from '../../protocol/jsonrpc.js';

export interface LineHead {
  id: RequestId;
  kind: 'request' | 'response';
}

const WS = /[ \t\r\n]*/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a JSON string may not hold raw control characters (RFC 8259)
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/**
 * The id and kind of the JSON-RPC object `text` starts with, read only from its top-level members with
 * simple values up to the first compound one (as servers write `{"jsonrpc":"2.0","id":1,"result":{…`).
 * Undefined when the start does not say both for certain: an id nested deeper, cut off by the end of
 * `text`, or after the first compound value is never guessed. (A line that repeats `id` after a compound
 * value is misread; that can only fail one of its sender's own requests.)
 */
export function readLineHead(text: string): LineHead | undefined {
  let at = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    at = re.lastIndex;
    return m[0];
  };
  const skip = () => match(WS);
  let id: RequestId | undefined;
  let request = false;
  let response = false;
  const verdict = (): LineHead | undefined =>
    id === undefined || request === response ? undefined : { id, kind: request ? 'request' : 'response' };
  skip();
  if (text[at] !== '{') return undefined;
  at++;
  for (;;) {
    skip();
    const keyToken = match(STRING);
    if (keyToken === undefined) return verdict();
    const key = JSON.parse(keyToken) as string;
    skip();
    if (text[at] !== ':') return verdict();
    at++;
    skip();
    if (key === 'id') id = undefined; // a repeated id overrides the first one (as in JSON.parse)
    if (key === 'method' || key === 'params') request = true;
    if (key === 'result' || key === 'error') response = true;
    if (text[at] === '{' || text[at] === '[') return verdict(); // the rest is what made the line too long
    const value = text[at] === '"' ? match(STRING) : (match(NUMBER) ?? match(LITERAL));
    if (value === undefined) return verdict();
    skip();
    // A value is only complete once the separator after it is seen (`"id":12` may be the start of
    // `"id":123`, `"id":1.5` of `"id":1.5e9`).
    const next = text[at];
    if (next !== ',' && next !== '}') return verdict();
    if (key === 'id') {
      const v = JSON.parse(value) as unknown;
      id = typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
    }
    if (next === '}') return verdict();
    at++;
  }
}
