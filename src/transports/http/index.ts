/**
 * tsmcp/http: Streamable HTTP for every runtime: the web-standard server front and the fetch client.
 * @module tsmcp/http
 */
export { createWebHandler } from './web.js';
export type { WebHandler, WebHandlerOptions } from './web.js';
export { DEFAULT_HTTP_MAX_MESSAGE_BYTES, StreamableHttpClientTransport } from './client.js';
export type { StreamableHttpClientOptions } from './client.js';
export { composeFetch } from '../../engine/fetch-middleware.js';
export type { FetchLike, FetchMiddleware } from '../../engine/fetch-middleware.js';
export { HttpCore } from './core.js';
export type {
  AuthenticateRequest,
  CoreRequest,
  CoreResponse,
  HeaderMap,
  HttpAuth,
  HttpServerOptions,
  StreamSink,
} from './core.js';
export { InMemoryEventStore } from './event-store.js';
export type { EventStore, InMemoryEventStoreOptions, Replayed, StoredEvent } from './event-store.js';
export type { SecurityOptions } from '../shared/security.js';
export type { ServerLike } from '../shared/server-of.js';
export type { SessionChange, SessionSnapshot, SessionState, SessionStore } from './session-store.js';
