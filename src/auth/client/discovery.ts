// Discovery: protected resource metadata (RFC 9728) and authorization server metadata (RFC 8414 / OIDC
// Discovery) in the order MCP 2025-11-25 prescribes, with every document checked before it is used.
import { readCapped } from '../../transports/shared/read-capped.js';
import { AuthError } from './errors.js';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  [k: string]: unknown;
}

export interface AuthorizationServerMetadata {
  issuer: string;
  /** Absent at a server that offers only non-interactive grants (client_credentials, JWT bearer). */
  authorization_endpoint?: string;
  token_endpoint: string;
  registration_endpoint?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  client_id_metadata_document_supported?: boolean;
  authorization_response_iss_parameter_supported?: boolean;
  [k: string]: unknown;
}

/** Default of `maxDocumentBytes`: metadata and token responses larger than this are refused. */
export const DEFAULT_AUTH_MAX_DOCUMENT_BYTES = 256 * 1024;

export interface Fetcher {
  fetch: typeof fetch;
  maxDocumentBytes: number;
}

const PRM = 'protected resource metadata';
const ASM = 'authorization server metadata';

function isLoopback(u: URL): boolean {
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Parse a URL from a document; HTTPS only, except loopback (tests, local servers). */
export function secureUrl(value: unknown, document: string, field: string): URL {
  let u: URL;
  try {
    u = new URL(String(value));
  } catch {
    throw new AuthError('TSMCP_AUTH_INVALID_METADATA', 'Not a URL', {
      document,
      field,
      expected: 'a URL',
      received: String(value),
    });
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u)))
    throw new AuthError('TSMCP_AUTH_INSECURE_URL', 'Authorization URLs must use HTTPS (or loopback)', {
      document,
      field,
      expected: 'https: or a loopback http: URL',
      received: u.href,
    });
  return u;
}

/** GET a JSON object, bounded; undefined on 4xx (try the next location), an error on anything else. */
export async function getJson(f: Fetcher, url: URL, document: string): Promise<Record<string, unknown> | undefined> {
  let res: Response;
  try {
    res = await f.fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
  } catch (e) {
    throw new AuthError('TSMCP_AUTH_FETCH', `GET ${url.href} failed`, { document }, e);
  }
  if (res.status >= 400 && res.status < 500) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new AuthError('TSMCP_AUTH_FETCH', `GET ${url.href} answered HTTP ${res.status}`, {
      document,
      expected: '200',
      received: String(res.status),
    });
  }
  const doc = await readJson(f, res, document);
  return doc;
}

/** Read a JSON object body of at most `maxDocumentBytes`. */
export async function readJson(f: Fetcher, res: Response, document: string): Promise<Record<string, unknown>> {
  const text = await readCapped(res.body, null, f.maxDocumentBytes);
  if (text === undefined)
    throw new AuthError('TSMCP_AUTH_DOCUMENT_TOO_LARGE', 'Document over maxDocumentBytes', {
      document,
      expected: `at most ${f.maxDocumentBytes} bytes`,
      received: `more than ${f.maxDocumentBytes}`,
    });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new AuthError('TSMCP_AUTH_INVALID_METADATA', 'Not a JSON object', { document, expected: 'a JSON object' });
  return doc as Record<string, unknown>;
}

/** PRM locations in order: the challenge's `resource_metadata`, the path-inserted well-known, the root one. */
export function prmLocations(server: URL, fromChallenge?: string): URL[] {
  const out: URL[] = [];
  if (fromChallenge) out.push(secureUrl(fromChallenge, 'WWW-Authenticate', 'resource_metadata'));
  const path = server.pathname.replace(/\/$/, '');
  // The MCP server's own origin serves the PRM: a plain-http one off loopback would let anyone on the path
  // name the authorization server.
  const at = (p: string) => secureUrl(new URL(p, server.origin).href, PRM, 'serverUrl');
  if (path) out.push(at(`/.well-known/oauth-protected-resource${path}`));
  out.push(at('/.well-known/oauth-protected-resource'));
  return out;
}

/** Whether a PRM `resource` names this server: same origin, and the server's path is at or under it. */
export function resourceCovers(resource: string, server: URL): boolean {
  let r: URL;
  try {
    r = new URL(resource);
  } catch {
    return false;
  }
  if (r.origin !== server.origin || r.hash) return false;
  const base = r.pathname.replace(/\/$/, '');
  return server.pathname === base || server.pathname.startsWith(`${base}/`) || base === '';
}

/** The first PRM found, checked; undefined when no location has one (the 2025-03-26 fallback applies). */
export async function discoverProtectedResource(
  f: Fetcher,
  server: URL,
  fromChallenge?: string,
): Promise<ProtectedResourceMetadata | undefined> {
  for (const url of prmLocations(server, fromChallenge)) {
    const doc = await getJson(f, url, PRM);
    if (!doc) continue;
    if (typeof doc.resource !== 'string')
      throw new AuthError('TSMCP_AUTH_INVALID_METADATA', 'Missing resource', {
        document: PRM,
        field: 'resource',
        expected: 'a string',
        received: typeof doc.resource,
      });
    if (!resourceCovers(doc.resource, server))
      throw new AuthError('TSMCP_AUTH_RESOURCE_MISMATCH', 'The protected resource metadata is for another server', {
        document: PRM,
        field: 'resource',
        expected: server.href,
        received: doc.resource,
      });
    const servers = doc.authorization_servers;
    if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string'))
      throw new AuthError('TSMCP_AUTH_INVALID_METADATA', 'No authorization server', {
        document: PRM,
        field: 'authorization_servers',
        expected: 'a non-empty array of issuer URLs',
        received: JSON.stringify(servers),
      });
    return doc as ProtectedResourceMetadata;
  }
  return undefined;
}

/** AS metadata locations (MCP 2025-11-25): never the root for an issuer with a path. */
export function asMetadataLocations(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '');
  const at = (p: string) => new URL(p, issuer.origin);
  if (!path) return [at('/.well-known/oauth-authorization-server'), at('/.well-known/openid-configuration')];
  return [
    at(`/.well-known/oauth-authorization-server${path}`),
    at(`/.well-known/openid-configuration${path}`),
    at(`${path}/.well-known/openid-configuration`),
  ];
}

/** What the metadata must offer: the code flow needs an authorization endpoint and PKCE S256, a grant neither. */
export interface MetadataNeeds {
  /** Default true: require `authorization_endpoint` and S256 in `code_challenge_methods_supported`. */
  interactive?: boolean;
}

/** The issuer's metadata, checked (`issuer` equal as a string, endpoints secure); undefined when none found. */
export async function discoverAuthorizationServer(
  f: Fetcher,
  issuer: string,
  needs: MetadataNeeds = {},
): Promise<AuthorizationServerMetadata | undefined> {
  const base = secureUrl(issuer, PRM, 'authorization_servers');
  for (const url of asMetadataLocations(base)) {
    const doc = await getJson(f, url, ASM);
    if (!doc) continue;
    if (doc.issuer !== issuer)
      throw new AuthError('TSMCP_AUTH_ISSUER_MISMATCH', `Metadata at ${url.href} is for another issuer`, {
        document: ASM,
        field: 'issuer',
        expected: issuer,
        received: String(doc.issuer),
      });
    return checkAsMetadata(doc, needs);
  }
  return undefined;
}

function checkAsMetadata(doc: Record<string, unknown>, needs: MetadataNeeds): AuthorizationServerMetadata {
  secureUrl(doc.token_endpoint, ASM, 'token_endpoint');
  if (doc.registration_endpoint !== undefined) secureUrl(doc.registration_endpoint, ASM, 'registration_endpoint');
  if (doc.authorization_endpoint !== undefined) secureUrl(doc.authorization_endpoint, ASM, 'authorization_endpoint');
  if (needs.interactive === false) return doc as AuthorizationServerMetadata;
  // RFC 8414 §2: authorization_endpoint is optional when no grant type uses it (client_credentials only).
  if (doc.authorization_endpoint === undefined)
    throw new AuthError(
      'TSMCP_AUTH_NO_AUTHORIZATION_ENDPOINT',
      'The authorization server offers no authorization code flow; use a non-interactive grant',
      {
        document: ASM,
        field: 'authorization_endpoint',
        expected: 'an authorization endpoint (the authorization code flow)',
        received: 'nothing',
      },
    );
  const methods = doc.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes('S256'))
    throw new AuthError('TSMCP_AUTH_PKCE_UNSUPPORTED', 'The authorization server does not offer PKCE S256', {
      document: ASM,
      field: 'code_challenge_methods_supported',
      expected: 'a list containing S256',
      received: methods === undefined ? 'nothing' : JSON.stringify(methods),
    });
  return doc as AuthorizationServerMetadata;
}

/**
 * 2025-03-26 servers publish no PRM: the AS is the server's origin, its metadata at the root well-known,
 * else the default endpoints /authorize, /token, /register (PKCE S256 assumed).
 */
export async function legacyAuthorizationServer(
  f: Fetcher,
  server: URL,
  needs: MetadataNeeds = {},
): Promise<AuthorizationServerMetadata> {
  const issuer = server.origin;
  const doc = await getJson(f, new URL('/.well-known/oauth-authorization-server', issuer), ASM);
  if (doc) {
    if (doc.issuer !== issuer)
      throw new AuthError('TSMCP_AUTH_ISSUER_MISMATCH', 'Metadata is for another issuer', {
        document: ASM,
        field: 'issuer',
        expected: issuer,
        received: String(doc.issuer),
      });
    return checkAsMetadata(doc, needs);
  }
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    code_challenge_methods_supported: ['S256'],
  };
}
