// tsmcp/redis: shared state for a fleet of tsmcp instances behind a load balancer (no sticky sessions).
// Needs the optional peer dependency `redis` (node-redis).
export {
  loadRedis,
  RedisConnection,
  type RedisConnectionOptions,
  type RedisClient,
  RedisUnavailableError,
} from './connection.js';
export { RedisTaskStore, type RedisTaskStoreOptions } from './task-store.js';
export { RedisTaskCoordinator, type RedisTaskCoordinatorOptions } from './task-coordinator.js';
