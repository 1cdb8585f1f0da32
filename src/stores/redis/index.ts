/**
 * tsmcp/redis: shared state for a fleet of tsmcp instances behind a load balancer (no sticky sessions).
 * Needs the optional peer dependency `redis` (node-redis).
 * @module tsmcp/redis
 */
export {
  loadRedis,
  RedisConnection,
  type RedisConnectionOptions,
  type RedisClient,
  RedisUnavailableError,
} from './connection.js';
export {
  DEFAULT_MAX_EVENT_BYTES,
  RedisEventBus,
  type RedisEventBusOptions,
  type RedisEventBusStats,
  type RedisEventLogOptions,
} from './event-bus.js';
export {
  FleetConfigError,
  type FleetCheckTarget,
  type FleetHttpOptions,
  type FleetIssue,
  type FleetReport,
  type FleetServerOptions,
  MIN_FLEET_KEY_LENGTH,
  redactUrl,
  type RedisFleet,
  type RedisFleetOptions,
  redisFleet,
} from './fleet.js';
export { RedisEventStore, type RedisEventStoreOptions } from './event-store.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from './session-store.js';
export { RedisTaskStore, type RedisTaskStoreOptions } from './task-store.js';
export { RedisTaskCoordinator, type RedisTaskCoordinatorOptions } from './task-coordinator.js';
