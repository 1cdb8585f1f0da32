// DNS-rebinding defences: Origin validation (spec: present and invalid ⇒ 403) and a Host allow-list,
// on by default for servers reached on a loopback address.

export interface SecurityOptions {
  /**
   * Hosts (name or name:port) the server answers to. Default `'loopback'`: when the request arrived on
   * a loopback address only localhost, 127.0.0.1 and [::1] are accepted; elsewhere any Host is.
   * `false` turns the check off (behind a proxy that validates Host itself).
   */
  allowedHosts?: 'loopback' | string[] | false;
  /**
   * Origins (scheme://host[:port]) allowed in addition to the server's own (same host as Host).
   * A request with any other Origin is refused with 403. Requests without Origin (non-browser) pass.
   */
  allowedOrigins?: string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
}

/** Why a request must be refused (403), or undefined when it may proceed. */
export function checkOrigin(options: SecurityOptions, host: string | null | undefined, origin: string | null | undefined, loopback: boolean): string | undefined {
  const hosts = options.allowedHosts ?? 'loopback';
  if (hosts !== false) {
    if (!host) return 'missing Host header';
    const name = hostName(host);
    if (hosts === 'loopback') {
      if (loopback && !LOOPBACK.has(name) && !name.endsWith('.localhost')) return `Host ${host} is not allowed for a server on a loopback address`;
    } else if (!hosts.some((h) => h.toLowerCase() === host.toLowerCase() || h.toLowerCase() === name)) {
      return `Host ${host} is not allowed`;
    }
  }
  if (origin == null) return undefined;
  if (options.allowedOrigins?.includes(origin)) return undefined;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return `Origin ${origin} is not a valid origin`;
  }
  if (host && o.host.toLowerCase() === host.toLowerCase()) return undefined;
  if (loopback && host && LOOPBACK.has(hostName(host)) && LOOPBACK.has(o.hostname.startsWith('[') ? o.hostname : o.hostname.toLowerCase())) return undefined;
  return `Origin ${origin} is not allowed`;
}
