// protectedResource(): an OAuth 2.1 resource server for the HTTP fronts (`auth` option): verifies the
// bearer token of every MCP request, answers 400/401/403 with RFC 6750/9728 challenges, serves its metadata.
import { McpError } from '../../protocol/errors.js';
import type { AuthInfo } from '../../protocol/identity.js';
import type { JsonObject } from '../../protocol/jsonrpc.js';
import { AuthRefusal, InvalidTokenError } from './errors.js';
import { checkScopes, checkUrl, metadataLocation } from './metadata.js';

/** Checks a bearer token; throws `InvalidTokenError` for a bad one (any other throw answers 503). */
export interface TokenVerifier {
  verify(token: string): Promise<AuthInfo>;
}

/** The request as the resource server sees it (the HTTP core's `AuthenticateRequest`). */
export interface AuthRequest {
  readonly method: string;
  header(name: string): string | undefined;
}

export interface ProtectedResourceOptions {
  /** This server's resource identifier (RFC 8707), e.g. `https://mcp.example.com/mcp`: tokens must name it as audience. Used verbatim. */
  resource: string;
  /** Issuers of the authorization servers whose tokens are accepted (metadata `authorization_servers`). */
  authorizationServers: readonly string[];
  /** Checks tokens: `jwtVerifier()`, `introspectionVerifier()` or your own. */
  verifier: TokenVerifier;
  /** Scopes every request needs: in the 401 challenge's `scope`, 403 `insufficient_scope` without them. Default none. */
  requiredScopes?: readonly string[];
  /** Metadata `scopes_supported`. */
  scopesSupported?: readonly string[];
  /** Metadata `resource_name`. */
  resourceName?: string;
  /** Metadata `resource_documentation`. */
  resourceDocumentation?: string;
  /** More metadata fields (RFC 9728 §2); they cannot replace the fields above. */
  metadata?: JsonObject;
  /** Sees a verifier failure that is not about the token (a JWKS or introspection endpoint down): answered 503. */
  onerror?: (error: unknown) => void;
}

/** A configured resource server: pass it as the HTTP fronts' `auth` option. */
export interface ProtectedResource {
  /** The resource identifier, exactly as configured. */
  readonly resource: string;
  /** The path-inserted metadata URL (the challenge's `resource_metadata`). */
  readonly metadataUrl: string;
  /** The paths the metadata is served at: path-inserted, then root. */
  readonly metadataPaths: readonly string[];
  /** The metadata document. */
  readonly document: JsonObject;
  /** Verify a request's bearer token (the HTTP fronts call it); throws an `AuthRefusal`. */
  authenticate(request: AuthRequest): Promise<AuthInfo>;
  /** The metadata JSON for a GET of `path`, or undefined when `path` is not a metadata path. */
  metadataAt(path: string): string | undefined;
  /** The refusal (403 `insufficient_scope`) for a caller lacking some of `scopes`, or undefined when it holds them all. */
  checkScopes(auth: AuthInfo | undefined, scopes: readonly string[]): AuthRefusal | undefined;
  /**
   * The 403 `insufficient_scope` refusal for an operation that needs `scopes`: its challenge names them
   * with `requiredScopes` (the HTTP fronts call it for a tool, resource or prompt registered with `scopes`).
   */
  insufficientScope(scopes: readonly string[], auth?: AuthInfo): AuthRefusal;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * An OAuth resource server for `createNodeHandler`/`createWebHandler` (`auth` option).
 * @example
 * const rs = protectedResource({ resource: 'https://mcp.example.com/mcp', authorizationServers: ['https://auth.example.com'],
 *   verifier: jwtVerifier({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp', jwksUri: 'https://auth.example.com/jwks' }) });
 * http.createServer(createNodeHandler(server, { auth: rs }));
 */
export function protectedResource(options: ProtectedResourceOptions): ProtectedResource {
  const { resource, verifier } = options;
  const where = metadataLocation(resource);
  if (options.authorizationServers.length === 0)
    throw new TypeError('protectedResource: authorizationServers must name at least one issuer');
  for (const as of options.authorizationServers) checkUrl('authorizationServers', as);
  const required = checkScopes('requiredScopes', options.requiredScopes ?? []);
  const document: JsonObject = {
    ...options.metadata,
    resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
  };
  const json = JSON.stringify(document);
  const challenge = (error: string | undefined, scopes: readonly string[]) =>
    `Bearer resource_metadata=${quoted(where.url)}` +
    (scopes.length ? `, scope=${quoted(scopes.join(' '))}` : '') +
    (error ? `, error=${quoted(error)}` : '');
  const unauthorized = (error: 'invalid_token' | undefined, message: string) =>
    new AuthRefusal(error, 401, challenge(error, required), message);

  const insufficient = (scopes: readonly string[]): AuthRefusal => {
    const all = [...new Set([...required, ...scopes])];
    return new AuthRefusal(
      'insufficient_scope',
      403,
      challenge('insufficient_scope', all),
      `Forbidden: the token lacks a scope this needs (${all.join(' ')})`,
      all,
    );
  };
  const lacking = (auth: AuthInfo | undefined, scopes: readonly string[]): AuthRefusal | undefined => {
    const held = new Set(auth?.scopes ?? []);
    return scopes.every((s) => held.has(s)) ? undefined : insufficient(scopes);
  };

  return {
    resource,
    metadataUrl: where.url,
    metadataPaths: where.paths,
    document,
    metadataAt: (path) => (where.paths.includes(path) ? json : undefined),
    checkScopes: lacking,
    insufficientScope: insufficient,
    async authenticate(request) {
      const header = request.header('authorization');
      const m = header === undefined ? null : /^Bearer +(\S*)$/i.exec(header.trim());
      if (!m) throw unauthorized(undefined, 'Unauthorized: a Bearer token is required');
      if (!TOKEN68.test(m[1]!))
        throw new AuthRefusal(
          'invalid_request',
          400,
          challenge('invalid_request', required),
          'Bad Request: malformed Bearer token',
        );
      let auth: AuthInfo;
      try {
        auth = await verifier.verify(m[1]!);
      } catch (e) {
        if (e instanceof InvalidTokenError) throw unauthorized('invalid_token', 'Unauthorized: invalid token');
        options.onerror?.(e);
        throw new McpError(-32603, 'Service Unavailable: the token could not be checked', undefined, 503);
      }
      // A custom verifier may not check expiry; a token past it is never accepted.
      if (auth.expiresAt !== undefined && auth.expiresAt * 1000 <= Date.now())
        throw unauthorized('invalid_token', 'Unauthorized: invalid token');
      const refusal = lacking(auth, required);
      if (refusal) throw refusal;
      return auth.token === undefined ? { ...auth, token: m[1]! } : auth;
    },
  };
}
