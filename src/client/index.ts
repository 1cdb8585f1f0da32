// tsmcp/client: the public client API. Its Client is the core one with the built-in extension's
// options as sugar (see ../extensions/tasks/bundled-client.ts), so that module's exports are re-exported whole.
export * from '../extensions/tasks/bundled-client.js';
export type {
  CallOptions,
  ClientMiddleware,
  ClientRequest,
  InputHandlers,
  SubscribeOptions,
  Subscription,
} from './client.js';
export type { ClientExtension, ClientExtensionHost, ResultFollower } from './extension.js';
export { composeFetch } from '../engine/fetch-middleware.js';
export type { FetchLike, FetchMiddleware } from '../engine/fetch-middleware.js';
export * from '../protocol/public.js';
