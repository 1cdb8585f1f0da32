// RFC 9110 §11.6.1 `WWW-Authenticate`: several challenges in one header, each a scheme with either a
// token68 or comma-separated auth-params (token or quoted-string values, names case-insensitive).

export interface AuthChallenge {
  /** The scheme, lower-cased: 'bearer', 'dpop', 'basic', … */
  scheme: string;
  /** Parameters by lower-cased name; the first occurrence of a repeated name wins. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z/]+/y;

/** Every challenge of a `WWW-Authenticate` value; unparseable stretches are skipped, never thrown on. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  let current: AuthChallenge | undefined;
  let fresh = false; // just read a scheme: a token68 may follow
  const n = header.length;
  const ws = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = () => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(header);
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const quoted = () => {
    let v = '';
    for (i++; i < n && header[i] !== '"'; i++) v += header[i] === '\\' && i + 1 < n ? header[++i] : header[i];
    i++; // closing quote
    return v;
  };
  while (i < n) {
    ws();
    if (header[i] === ',') {
      i++;
      fresh = false;
      continue;
    }
    const t = token();
    if (!t) {
      i++;
      continue;
    }
    ws();
    if (header[i] === '=' && current) {
      let j = i;
      while (header[j] === '=') j++;
      let k = j;
      while (header[k] === ' ' || header[k] === '\t') k++;
      if (fresh && (k >= n || header[k] === ',') && Object.keys(current.params).length === 0) {
        current.token68 = t + header.slice(i, j); // token68 with '=' padding
        i = j;
        fresh = false;
        continue;
      }
      i++;
      ws();
      const value = header[i] === '"' ? quoted() : token();
      const name = t.toLowerCase();
      if (!(name in current.params)) current.params[name] = value;
      fresh = false;
      continue;
    }
    if (fresh && current && (i >= n || header[i] === ',')) {
      current.token68 = t;
      fresh = false;
      continue;
    }
    current = { scheme: t.toLowerCase(), params: {} };
    out.push(current);
    fresh = true;
  }
  return out;
}
