// tsmcp/client: the public client API.
export { Client } from './client.js';
export type { CallOptions, ClientOptions, InputHandlers, Subscription } from './client.js';
export * from '../protocol/public.js';
