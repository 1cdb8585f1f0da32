// tsmcp/client: the public client API.
export { Client } from './client.js';
export type { CallOptions, ClientOptions, InputHandlers, SubscribeOptions, Subscription } from './client.js';
export * from '../protocol/public.js';
