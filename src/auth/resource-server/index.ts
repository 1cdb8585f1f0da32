// The resource-server half of tsmcp/auth.
export { protectedResource } from './protected-resource.js';
export type { AuthRequest, ProtectedResource, ProtectedResourceOptions, TokenVerifier } from './protected-resource.js';
export { AuthRefusal, InvalidTokenError } from './errors.js';
export type { AuthRefusalReason, InvalidTokenReason } from './errors.js';
export { metadataNodeHandler, metadataWebHandler } from './handlers.js';
