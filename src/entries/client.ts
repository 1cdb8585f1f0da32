/**
 * tsmcp/client: the public client API. Its Client is the core one (client/) with the reference
 * extension's options as sugar (extensions/tasks/bundled-client.ts), whose exports are re-exported whole.
 * @module tsmcp/client
 */
export * from '../extensions/tasks/bundled-client.js';
export type {
  CallOptions,
  ClientMiddleware,
  ClientConnectionInfo,
  ClientRequest,
  InputHandlers,
  SubscribeOptions,
  Subscription,
} from '../client/client.js';
export type { ClientExtension, ClientExtensionHost, ResultFollower } from '../client/extension.js';
export { composeFetch } from '../engine/fetch-middleware.js';
export type { FetchLike, FetchMiddleware } from '../engine/fetch-middleware.js';
export * from '../protocol/public.js';
