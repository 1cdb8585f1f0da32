/**
 * tsmcp/auth/node: the Node-only half of the OAuth client for CLIs (a loopback login, a token file).
 * @module tsmcp/auth/node
 */
export {
  AuthCallbackError,
  DEFAULT_LOGIN_TIMEOUT_MS,
  loopbackLogin,
  type LoopbackLogin,
  type LoopbackLoginOptions,
} from './loopback.js';
export {
  DEFAULT_FILE_LOCK_STALE_MS,
  DEFAULT_FILE_LOCK_WAIT_MS,
  FileTokenStore,
  type FileTokenStoreOptions,
} from './file-store.js';
