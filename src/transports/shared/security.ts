// DNS-rebinding defences shared by every server front (node, web, adapters, HTTP+SSE, WebSocket):
// a Host allow-list and an Origin allow-list, both loopback-only by default whatever address the
// server listens on (a front cannot always know it, and a rebinding page sends Origin == Host).

export interface SecurityOptions {
  /**
   * Host header values the server answers to: a name (any port), `name:port`, or `*.domain` (any
   * subdomain). Default (`'loopback'`): localhost, 127.0.0.1, [::1] and *.localhost, any port. A server
   * reached under another name must list it, or every request gets 403 naming this option.
   * `false` turns the check off (only behind a proxy that validates Host itself).
   */
  allowedHosts?: 'loopback' | string[] | false;
  /**
   * Origins (`scheme://host[:port]`) browsers may call from. Default: loopback origins only
   * (http or https on localhost, 127.0.0.1, [::1], *.localhost, any port). A request with another
   * Origin gets 403; a request without Origin (a non-browser client) passes. A list replaces the
   * default (add the loopback origins yourself if you still want them). `false` accepts any Origin.
   */
  allowedOrigins?: string[] | false;
}

/** Why a request must be refused (403), or undefined when it may proceed. */
export type SecurityCheck = (host: string | null | undefined, origin: string | null | undefined) => string | undefined;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const isLoopbackName = (name: string): boolean => LOOPBACK.has(name) || name.endsWith('.localhost');

/** The lower-case name part of a Host value (brackets kept for IPv6). */
function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Attacker-controlled text echoed in an error body: short and printable. */
const shown = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}…` : s).replace(/[^\x20-\x7e]/g, '?');

function hostMatcher(list: string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of list) {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) suffixes.push(e.slice(1));
    else exact.add(e);
  }
  return (host) => {
    const h = host.toLowerCase();
    const name = hostName(h);
    return exact.has(h) || exact.has(name) || suffixes.some((s) => name.endsWith(s));
  };
}

function originOf(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Build the check once per server from its options (secure defaults, see SecurityOptions). */
export function securityCheck(options: SecurityOptions): SecurityCheck {
  const hosts = options.allowedHosts ?? 'loopback';
  const hostOk =
    hosts === false
      ? undefined
      : hosts === 'loopback'
        ? (h: string) => isLoopbackName(hostName(h))
        : hostMatcher(hosts);
  const origins = options.allowedOrigins;
  const listed = Array.isArray(origins)
    ? new Set(origins.map((o) => originOf(o)?.origin ?? o.toLowerCase()))
    : undefined;
  return (host, origin) => {
    if (hostOk) {
      if (!host) return 'missing Host header';
      if (!hostOk(host)) {
        const h = shown(host);
        return `Host ${h} is not allowed; set allowedHosts: ['${shown(hostName(host))}'] (or false behind a proxy that checks Host)`;
      }
    }
    if (origin == null || origins === false) return undefined;
    const o = originOf(origin);
    if (listed ? o !== undefined && listed.has(o.origin) : o !== undefined && isLoopbackName(o.hostname))
      return undefined;
    return `Origin ${shown(origin)} is not allowed; set allowedOrigins: ['${shown(o?.origin ?? origin)}'] (or false to accept any Origin)`;
  };
}
