// redisFleet(): the one place a fleet of tsmcp instances is configured (Redis connection, shared
// requestState key), the options to spread into McpServer and the HTTP front, and the startup check.
import { TsmcpError } from '../../protocol/errors.js';
import { InMemoryEventBus } from '../../server/events.js';
import { RequestStateCodec, type RequestStateOptions } from '../../server/request-state.js';
import type { Server } from '../../server/server.js';
import { InMemoryEventStore } from '../../transports/http/event-store.js';
import type { HttpServerOptions } from '../../transports/http/core.js';
import type { TasksOptions } from '../../extensions/tasks/manager.js';
import { InMemoryTaskStore, type TaskStore } from '../../extensions/tasks/store.js';
import { RedisConnection, type RedisClient, type RedisConnectionOptions } from './connection.js';
import { RedisEventBus, type RedisEventBusOptions } from './event-bus.js';
import { RedisEventStore, type RedisEventStoreOptions } from './event-store.js';
import { RedisSessionStore, type RedisSessionStoreOptions } from './session-store.js';
import { RedisTaskCoordinator, type RedisTaskCoordinatorOptions } from './task-coordinator.js';
import { RedisTaskStore, type RedisTaskStoreOptions } from './task-store.js';

/** Shortest shared requestState key (characters of a string, or bytes). */
export const MIN_FLEET_KEY_LENGTH = 32;

export interface RedisFleetOptions extends RedisConnectionOptions {
  /**
   * The requestState key every instance shares (required: a state sealed by one instance is opened by
   * another), at least 32 characters (or bytes); `previousKeys` still open states sealed before a
   * rotation (sign with the new key everywhere, drop the old one after `ttlMs`). Never from the client.
   */
  requestState: { key: string | Uint8Array; previousKeys?: readonly (string | Uint8Array)[]; ttlMs?: number };
  /**
   * How long `redisFleet()` waits for Redis at startup, ms. Default 5000; then it throws
   * `TSMCP_FLEET_CONFIG` naming the URL (without its password) instead of waiting forever.
   */
  connectTimeoutMs?: number;
  /** Options of the shared change-event bus (`RedisEventBus`). */
  events?: RedisEventBusOptions;
  /** Options of the legacy sessions every instance serves (`RedisSessionStore`: idle time, bounds). */
  sessions?: RedisSessionStoreOptions;
  /** Options of the legacy SSE events kept for resumption on any instance (`RedisEventStore`). */
  eventStore?: RedisEventStoreOptions;
  /** Options of the shared task store (`RedisTaskStore`) and of task leases (`RedisTaskCoordinator`). */
  tasks?: { store?: RedisTaskStoreOptions; coordinator?: RedisTaskCoordinatorOptions };
}

/**
 * What to spread into `new McpServer(info, { ...fleet.serverOptions })`: the shared requestState key and
 * the change-event bus every instance shares (list_changed, resources/updated, extension events).
 */
export interface FleetServerOptions {
  requestState: RequestStateOptions;
  events: RedisEventBus;
}

/**
 * What to spread into `createNodeHandler(server, { ...fleet.httpOptions })` (or another HTTP front): legacy
 * (2025-11-25 and older) sessions served by any instance, and their SSE events resumable on any instance.
 */
export type FleetHttpOptions = Required<Pick<HttpServerOptions, 'eventStore' | 'sessionStore'>>;

/** One finding of the fleet check, keyed by a stable `code`; `option` names what to set. */
export interface FleetIssue {
  code:
    | 'requestState.missing'
    | 'requestState.short'
    | 'requestState.notShared'
    | 'redis.unreachable'
    | 'events.inMemory'
    | 'tasks.inMemory'
    | 'eventStore.inMemory'
    | 'sessions.inMemory';
  option: string;
  message: string;
}

/** The fleet check's findings: errors break a fleet (states or calls fail elsewhere), warnings lose state. */
export interface FleetReport {
  errors: FleetIssue[];
  warnings: FleetIssue[];
}

/** Thrown by `redisFleet()` when the fleet cannot work: `issues` says what is missing. */
export class FleetConfigError extends TsmcpError {
  readonly issues: FleetIssue[];
  constructor(issues: FleetIssue[], cause?: unknown) {
    super('TSMCP_FLEET_CONFIG', `tsmcp fleet: ${issues.map((i) => i.message).join('; ')}`, { cause });
    this.name = 'FleetConfigError';
    this.issues = issues;
  }
}

/** What `check` inspects: the server of this instance and the options given to its HTTP front. */
export interface FleetCheckTarget {
  /** An McpServer (its `.server`) or a Server. */
  server?: Server | { server: Server; tasks?: { store: TaskStore } | undefined };
  http?: HttpServerOptions;
}

export interface RedisFleet {
  readonly connection: RedisConnection;
  readonly serverOptions: FleetServerOptions;
  readonly httpOptions: FleetHttpOptions;
  /**
   * The startup check: Redis reachable now (one PING), the server signs requestState with the fleet's
   * key, and no in-memory store where a fleet needs a shared one (warnings). Never throws.
   */
  check(target?: FleetCheckTarget): Promise<FleetReport>;
  /**
   * The tasks extension's options for a fleet (shared store, leases, cross-instance cancel and input):
   * `new McpServer(info, { ...fleet.serverOptions, tasks: fleet.tasks })`, or `tasks({ ...fleet.tasks, ... })`.
   */
  readonly tasks: Pick<TasksOptions, 'store' | 'coordinator'>;
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/** A Redis URL fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable Redis URL)';
  }
}

function keyIssues(options: Partial<RedisFleetOptions>): FleetIssue[] {
  const rs = options.requestState;
  if (!rs || rs.key === undefined)
    return [
      {
        code: 'requestState.missing',
        option: 'requestState.key',
        message:
          'no shared requestState key: set requestState.key (≥ 32 characters, the same on every instance); ' +
          'without it each instance refuses the multi round-trip states of the others',
      },
    ];
  const short = [rs.key, ...(rs.previousKeys ?? [])].some((k) => k.length < MIN_FLEET_KEY_LENGTH);
  return short
    ? [
        {
          code: 'requestState.short',
          option: 'requestState.key',
          message: `requestState.key and previousKeys must be at least ${MIN_FLEET_KEY_LENGTH} characters (or bytes)`,
        },
      ]
    : [];
}

const unreachable = (url: string): FleetIssue => ({
  code: 'redis.unreachable',
  option: 'url',
  message: `Redis at ${redactUrl(url)} cannot be reached`,
});

/**
 * Configures one instance of a fleet: connects to Redis (bounded by `connectTimeoutMs`) and returns the
 * options to spread into the server and its HTTP front. Throws `FleetConfigError` (`TSMCP_FLEET_CONFIG`)
 * when the shared key is missing or short, or Redis cannot be reached.
 * @example
 * const fleet = await redisFleet({ url: process.env.REDIS_URL, requestState: { key: process.env.MCP_STATE_KEY! } });
 * const server = new McpServer(info, { ...fleet.serverOptions });
 * const report = await fleet.check({ server });
 */
export async function redisFleet(options: RedisFleetOptions): Promise<RedisFleet> {
  const issues = keyIssues(options);
  if (issues.length) throw new FleetConfigError(issues);
  const { requestState, connectTimeoutMs = 5000, events, sessions, eventStore, tasks, ...redis } = options;
  const url = options.client ? describeClient(options.client) : (options.url ?? 'redis://127.0.0.1:6379');
  const connection = await connectBounded(redis, url, connectTimeoutMs);
  const bus = new RedisEventBus(connection, events);
  let sessionStore: RedisSessionStore;
  try {
    sessionStore = await RedisSessionStore.connect(connection, sessions);
  } catch (e) {
    await bus.close();
    await connection.close();
    throw new FleetConfigError([unreachable(url)], e);
  }
  const httpOptions: FleetHttpOptions = { eventStore: new RedisEventStore(connection, eventStore), sessionStore };
  const coordinator = new RedisTaskCoordinator(connection, tasks?.coordinator);
  const taskOptions = { store: new RedisTaskStore(connection, tasks?.store), coordinator };
  const serverOptions: FleetServerOptions = { requestState: { ...requestState }, events: bus };
  const codec = new RequestStateCodec(serverOptions.requestState);
  return {
    connection,
    serverOptions,
    httpOptions,
    tasks: taskOptions,
    check: (target = {}) => check(connection, url, codec, target),
    close: async () => {
      await coordinator.close();
      await bus.close();
      await connection.close();
    },
  };
}

/** Connects with a bounded wait: node-redis would otherwise retry an unreachable server forever. */
async function connectBounded(options: RedisConnectionOptions, url: string, timeoutMs: number) {
  try {
    return await RedisConnection.connect({ ...options, url, connectTimeoutMs: timeoutMs });
  } catch (e) {
    throw new FleetConfigError([unreachable(url)], e);
  }
}

function describeClient(client: RedisClient): string {
  const o = client.options as { url?: string; socket?: { host?: string; port?: number } } | undefined;
  if (o?.url) return o.url;
  return `redis://${o?.socket?.host ?? '127.0.0.1'}:${o?.socket?.port ?? 6379}`;
}

async function check(
  connection: RedisConnection,
  url: string,
  codec: RequestStateCodec,
  target: FleetCheckTarget,
): Promise<FleetReport> {
  const report: FleetReport = { errors: [], warnings: [] };
  try {
    await connection.run((c) => c.ping());
  } catch {
    report.errors.push(unreachable(url));
  }
  const holder = target.server;
  const server = holder && 'server' in holder ? holder.server : holder;
  if (server) {
    const [mine, theirs] = await Promise.all([codec.fingerprint(), server.requestStateFingerprint()]);
    if (theirs !== mine)
      report.errors.push({
        code: 'requestState.notShared',
        option: 'requestState',
        message:
          theirs === undefined
            ? 'the server has no requestState key (a random one per process): spread fleet.serverOptions into its options'
            : "the server signs requestState with another key than the fleet's: spread fleet.serverOptions into its options",
      });
    if (server.events instanceof InMemoryEventBus)
      report.warnings.push({
        code: 'events.inMemory',
        option: 'events',
        message: 'change events use the in-memory bus: listen streams on other instances miss them',
      });
  }
  const tasks = holder && 'server' in holder ? holder.tasks : undefined;
  if (tasks?.store instanceof InMemoryTaskStore)
    report.warnings.push({
      code: 'tasks.inMemory',
      option: 'tasks.store',
      message: 'tasks live in memory: other instances cannot poll, update or cancel them, and they die with it',
    });
  const http = target.http;
  if (http && http.legacy !== false && (!http.eventStore || http.eventStore instanceof InMemoryEventStore))
    report.warnings.push({
      code: 'eventStore.inMemory',
      option: 'eventStore',
      message: 'legacy SSE events are kept in memory: a client cannot resume (Last-Event-ID) on another instance',
    });
  if (http && http.legacy !== false && !http.sessionStore)
    report.warnings.push({
      code: 'sessions.inMemory',
      option: 'sessionStore',
      message: 'legacy sessions live in this instance only: their requests need sticky sessions',
    });
  return report;
}
