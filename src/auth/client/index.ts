// The runtime-neutral OAuth 2.1 client of tsmcp/auth.
export { parseWwwAuthenticate, type AuthChallenge } from './challenge.js';
export {
  asMetadataLocations,
  DEFAULT_AUTH_MAX_DOCUMENT_BYTES,
  discoverAuthorizationServer,
  discoverProtectedResource,
  prmLocations,
  resourceCovers,
  type AuthorizationServerMetadata,
  type Fetcher,
  type MetadataNeeds,
  type ProtectedResourceMetadata,
} from './discovery.js';
export { DEFAULT_DPOP_MAX_NONCES, DPOP_ALG, DpopProver, type DpopOptions } from './dpop.js';
export { AuthError, type AuthErrorDetail } from './errors.js';
export {
  DEFAULT_CLIENT_ASSERTION_LIFETIME_S,
  type AssertionContext,
  type ClientSecretGrant,
  type JwtBearerGrant,
  type OAuthGrant,
  type PrivateKeyJwtGrant,
} from './grants.js';
export { ID_JAG_TOKEN_TYPE, type IdJagOptions, idJagAssertion, TOKEN_EXCHANGE_GRANT } from './id-jag.js';
export {
  DEFAULT_AUTH_MAX_ATTEMPTS,
  DEFAULT_DISCOVERY_MAX_AGE_S,
  DEFAULT_REFRESH_SKEW_S,
  OAuthClient,
  oauthClient,
  type GrantOAuthOptions,
  type InteractiveOAuthOptions,
  type OAuthClientOptions,
} from './oauth.js';
export {
  DEFAULT_TOKEN_STORE_MAX_ENTRIES,
  MemoryTokenStore,
  type ClientInformation,
  type StoredDiscovery,
  type StoredTokens,
  type TokenStore,
} from './store.js';
export type { HttpAuthProvider } from '../../protocol/auth-provider.js';
