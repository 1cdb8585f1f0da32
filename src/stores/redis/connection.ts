// One Redis connection for a tsmcp instance: a command client and, on first use, one subscriber client
// (pub/sub needs its own connection). `redis` (node-redis) is an optional peer dependency loaded here
// only. Commands fail fast while Redis is unreachable (no offline queue: a request must not hang) and
// surface as `RedisUnavailableError`, which HTTP answers 503 with Retry-After; the clients reconnect by
// themselves with a capped backoff.
import { ErrorCode, McpError } from '../../protocol/errors.js';

/** The node-redis client type, without a static import of the optional peer. */
export type RedisClient = import('redis').RedisClientType;

export interface RedisConnectionOptions {
  /** `redis://host:port/db`; default `redis://127.0.0.1:6379`. Ignored when `client` is given. */
  url?: string;
  /**
   * A node-redis client you created (not yet connected, or connected). Give it `disableOfflineQueue: true`
   * for fail-fast behaviour; tsmcp adds an `error` listener so a lost connection never crashes the process.
   */
  client?: RedisClient;
  /** Prefix of every key and channel, so several servers can share one Redis. Default `tsmcp:`. */
  prefix?: string;
  /** Longest pause between reconnection attempts, ms. Default 2000. */
  maxReconnectDelayMs?: number;
  /** Seconds a client is told to wait (Retry-After) while Redis is unreachable. Default 2. */
  retryAfterSeconds?: number;
  /** Sees connection errors (default: ignored; the clients reconnect by themselves). */
  onerror?: (error: unknown) => void;
  /**
   * How long `connect()` waits for Redis, ms (default: until it answers; node-redis retries forever). Past
   * it `connect()` rejects with `RedisUnavailableError`, and a client tsmcp created is destroyed.
   */
  connectTimeoutMs?: number;
}

/** Redis cannot be reached: over HTTP a 503 with Retry-After, over JSON-RPC an internal error saying so. */
export class RedisUnavailableError extends McpError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(
      ErrorCode.InternalError,
      'Service Unavailable: the shared state store (Redis) cannot be reached; retry shortly',
      undefined,
      503,
      { 'retry-after': String(retryAfterSeconds) },
    );
    this.name = 'RedisUnavailableError';
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause });
  }
}

type RedisModule = typeof import('redis');
let loading: Promise<RedisModule> | undefined;
/** Loads the optional `redis` peer once; a clear error when it is not installed. */
export function loadRedis(): Promise<RedisModule> {
  loading ??= import('redis').catch((e: unknown) => {
    loading = undefined;
    throw new Error('tsmcp/redis needs the `redis` package (node-redis): npm install redis', { cause: e });
  });
  return loading;
}

export class RedisConnection {
  readonly prefix: string;
  readonly client: RedisClient;
  readonly #retryAfter: number;
  readonly #onerror: (error: unknown) => void;
  #subscriber: Promise<RedisClient> | undefined;
  #closed = false;

  private constructor(client: RedisClient, options: RedisConnectionOptions) {
    this.client = client;
    this.prefix = options.prefix ?? 'tsmcp:';
    this.#retryAfter = options.retryAfterSeconds ?? 2;
    this.#onerror = options.onerror ?? (() => {});
    client.on('error', this.#onerror);
  }

  /** Connects (or adopts `options.client`); resolves once the command client is ready. */
  static async connect(options: RedisConnectionOptions = {}): Promise<RedisConnection> {
    let client = options.client;
    if (!client) {
      const { createClient } = await loadRedis();
      const cap = options.maxReconnectDelayMs ?? 2000;
      client = createClient({
        url: options.url ?? 'redis://127.0.0.1:6379',
        disableOfflineQueue: true,
        socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), cap) },
      }) as RedisClient;
    }
    const conn = new RedisConnection(client, options);
    if (client.isOpen) return conn;
    const pending = client.connect();
    const ms = options.connectTimeoutMs;
    if (ms === undefined) {
      await pending;
      return conn;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RedisUnavailableError(conn.#retryAfter)), ms);
        }),
      ]);
      return conn;
    } catch (e) {
      pending.catch(() => {});
      if (!options.client) client.destroy(); // ours: stop its retries; a given client stays the caller's
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A key (or channel) under this connection's prefix. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Whether the command client is connected right now. */
  get ready(): boolean {
    return this.client.isReady;
  }

  /** Runs Redis commands; a connection failure becomes `RedisUnavailableError`. */
  async run<T>(fn: (client: RedisClient) => Promise<T>): Promise<T> {
    if (!this.client.isReady) throw new RedisUnavailableError(this.#retryAfter);
    try {
      return await fn(this.client);
    } catch (e) {
      if (!this.client.isReady || isConnectionError(e)) throw new RedisUnavailableError(this.#retryAfter, e);
      throw e;
    }
  }

  /** The pub/sub client (a duplicate of the command client), connected on first use. */
  subscriber(): Promise<RedisClient> {
    this.#subscriber ??= (async () => {
      const sub = this.client.duplicate() as RedisClient;
      sub.on('error', this.#onerror);
      await sub.connect();
      return sub;
    })();
    return this.#subscriber;
  }

  /** Closes both clients (those tsmcp created or adopted). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sub = this.#subscriber;
    await Promise.allSettled([
      this.client.isOpen ? this.client.close() : undefined,
      sub?.then((s) => (s.isOpen ? s.close() : undefined)),
    ]);
  }
}

const CONNECTION_ERRORS = new Set(['ClientClosedError', 'ClientOfflineError', 'SocketClosedUnexpectedlyError']);
/** node-redis's connection errors (matched by class name: the optional peer is not imported statically). */
function isConnectionError(e: unknown): boolean {
  const ctor = (e as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof ctor === 'string' && CONNECTION_ERRORS.has(ctor);
}
