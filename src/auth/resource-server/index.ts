// The resource-server half of tsmcp/auth.
export { protectedResource } from './protected-resource.js';
export type {
  AuthRequest,
  DpopResourceOptions,
  ProtectedResource,
  ProtectedResourceOptions,
  TokenVerifier,
} from './protected-resource.js';
export {
  DEFAULT_DPOP_ALGORITHMS,
  DEFAULT_DPOP_REPLAY_ENTRIES,
  DpopReplayCacheFullError,
  InMemoryDpopReplayCache,
} from './dpop.js';
export type { DpopReplayCache } from './dpop.js';
export { AuthRefusal, InvalidTokenError } from './errors.js';
export type { AuthRefusalReason, InvalidTokenReason } from './errors.js';
export { metadataNodeHandler, metadataWebHandler } from './handlers.js';
export { jwtVerifier } from './jwt.js';
export type { JwtVerifierOptions } from './jwt.js';
export { introspectionVerifier } from './introspection.js';
export type { IntrospectionVerifierOptions } from './introspection.js';
export { requireScopes } from './scopes.js';
export type { ScopeRules } from './scopes.js';
