// The protocol names every entry point re-exports: errors, versions, `_meta` keys and wire types.
export { ErrorCode, InsufficientScopeError, McpError, TsmcpError } from './errors.js';
export type { TsmcpErrorCode } from './errors.js';
export {
  LATEST_LEGACY_VERSION,
  LATEST_PROTOCOL_VERSION,
  LEGACY_VERSIONS,
  MODERN_VERSIONS,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './versions.js';
export type { Era, LegacyVersion, ModernVersion, ProtocolVersion } from './versions.js';
export { META } from './meta.js';
export type * from './types.js';
export type {
  JsonObject,
  JsonRpcMessage,
  JsonRpcRequest,
  JsonRpcNotification,
  JsonRpcResponse,
  JsonRpcResultResponse,
  JsonRpcErrorResponse,
  JsonRpcErrorObject,
  RequestId,
} from './jsonrpc.js';
export type { AuthInfo, RequestIdentity } from './identity.js';
export type { Transport, FrameError } from './transport.js';
export type { HeaderParam } from './x-mcp-header.js';
