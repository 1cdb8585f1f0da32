// RFC 9728 Protected Resource Metadata: where it lives (path-inserted and root well-known URLs) and
// what it says. The configured `resource` string is used verbatim: URL parsing would add a `/`.
import { TsmcpError } from '../../protocol/errors.js';

export const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 6749 scope-token characters: what may go between the quotes of a challenge unescaped. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const configError = (message: string) => new TsmcpError('TSMCP_AUTH_CONFIG', message);

/** An HTTPS URL (http only on a loopback host), or a TSMCP_AUTH_CONFIG error naming `what`. */
export function checkUrl(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${what}: expected an absolute URL, received ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw configError(`${what}: expected an https URL (http only on loopback), received ${JSON.stringify(value)}`);
  return url;
}

/** Refuse scopes a challenge could not carry. */
export function checkScopes(what: string, scopes: readonly string[]): readonly string[] {
  for (const s of scopes)
    if (!SCOPE_TOKEN.test(s)) throw configError(`${what}: ${JSON.stringify(s)} is not an RFC 6749 scope token`);
  return Object.freeze([...scopes]);
}

/** Where the metadata of `resource` is: the path-inserted URL, and the paths a front answers. */
export function metadataLocation(resource: string): {
  url: string;
  paths: readonly string[];
  /** The resource's origin, and its path (`/` when it has none). */
  origin: string;
  path: string;
} {
  const url = checkUrl('resource', resource);
  if (url.hash || resource.includes('#'))
    throw configError(`resource: a fragment is not allowed (RFC 8707): ${resource}`);
  if (url.search || resource.includes('?'))
    throw configError(`resource: a query is not supported (RFC 8707 advises against it): ${resource}`);
  if (url.username || url.password) throw configError('resource: credentials in the URL are not allowed');
  // The path as written (verbatim), without the lone `/` of an origin-only resource.
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)?$/i.exec(resource);
  const rawPath = m?.[1] && m[1] !== '/' ? m[1] : '';
  return {
    url: `${url.origin}${WELL_KNOWN}${rawPath}`,
    paths: rawPath ? [WELL_KNOWN + rawPath, WELL_KNOWN] : [WELL_KNOWN],
    origin: url.origin,
    path: rawPath || '/',
  };
}
