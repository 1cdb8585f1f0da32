// tsmcp/client: the public client API.
export { Client } from './client.js';
export type { CallOptions, ClientMiddleware, ClientOptions, ClientRequest, InputHandlers, SubscribeOptions, Subscription } from './client.js';
export { composeFetch } from './middleware.js';
export type { FetchLike, FetchMiddleware } from './middleware.js';
export * from '../protocol/public.js';
