// A TokenStore in one JSON file for CLIs: owner-only (0600), replaced atomically (temp file in the same
// folder, then rename), never silently reset when unreadable.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, dirname, join } from 'node:path';
import { AuthError } from '../client/errors.js';
import {
  type ClientInformation,
  DEFAULT_TOKEN_STORE_MAX_ENTRIES,
  type StoredDiscovery,
  type StoredTokens,
  type TokenStore,
} from '../client/store.js';

interface Contents {
  clients: Map<string, ClientInformation>;
  tokens: Map<string, StoredTokens>;
  /** Discovery records per MCP server URL; absent from files written before them (read as empty). */
  discovery: Map<string, StoredDiscovery>;
}

const DOCUMENT = 'token store file';

/** Default of `FileTokenStore`'s `lockStaleMs`: a lock file older than this is taken over. */
export const DEFAULT_FILE_LOCK_STALE_MS = 30_000;
/** Default of `FileTokenStore`'s `lockWaitMs`: how long `lock()` waits for another holder. */
export const DEFAULT_FILE_LOCK_WAIT_MS = 45_000;
/** How often a waiting `lock()` looks at the lock file again. */
const LOCK_POLL_MS = 25;

/** Options of `FileTokenStore`. */
export interface FileTokenStoreOptions {
  /**
   * Issuers, issuer+resource pairs and discovery records (per MCP server URL) kept at most, each.
   * Default 100 (`DEFAULT_TOKEN_STORE_MAX_ENTRIES`).
   */
  maxEntries?: number;
  /**
   * A lock file older than this (ms) belongs to a holder that died or hung, and is taken over; so is one
   * whose holder process no longer runs on this host. Default 30 s (`DEFAULT_FILE_LOCK_STALE_MS`).
   */
  lockStaleMs?: number;
  /**
   * How long `lock()` waits for another holder (ms) before failing with `TSMCP_AUTH_STORE_LOCKED`.
   * Default 45 s (`DEFAULT_FILE_LOCK_WAIT_MS`), longer than `lockStaleMs` so a dead holder is outwaited.
   */
  lockWaitMs?: number;
}

/**
 * A `TokenStore` kept in the JSON file at `path` (created on first write, mode 0600; its folder must
 * exist). Every write reads
 * the file, changes one entry and renames a fresh copy over it, so a crash never leaves half a file. A
 * file that is not this store's JSON fails with `TSMCP_AUTH_STORE_CORRUPT` and is left as it is.
 * Writes of one process are serialized; two processes writing at once: the last rename wins.
 * Bounded like `MemoryTokenStore`: at most `maxEntries` issuers, as many issuer+resource pairs and as many
 * discovery records (default 100 each, `DEFAULT_TOKEN_STORE_MAX_ENTRIES`); a new key past it fails with
 * `TSMCP_AUTH_STORE_FULL`. Discovery records (the OAuth client's, per MCP server URL) are checked when
 * read like the rest: a malformed one is `TSMCP_AUTH_STORE_CORRUPT`.
 * `lock()` (used by the OAuth client around a refresh) is an exclusive lock file beside the store, one per
 * issuer+resource, so two processes spend a single-use refresh token once; see `FileTokenStoreOptions`.
 * @example
 * const store = new FileTokenStore(join(homedir(), '.config', 'my-cli', 'tokens.json'));
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  readonly #max: number;
  readonly #staleMs: number;
  readonly #waitMs: number;
  /** Writes of this process, one after another (read-modify-rename must not interleave). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = path;
    this.#max = options.maxEntries ?? DEFAULT_TOKEN_STORE_MAX_ENTRIES;
    this.#staleMs = options.lockStaleMs ?? DEFAULT_FILE_LOCK_STALE_MS;
    this.#waitMs = options.lockWaitMs ?? DEFAULT_FILE_LOCK_WAIT_MS;
  }

  /**
   * Runs `fn` holding `<path>.<hash>.lock` (created exclusively, mode 0600, removed after): processes
   * sharing this file take turns per issuer+resource. A stale lock (see `lockStaleMs`) is taken over; two
   * processes taking over the same stale lock at once may both run, which the OAuth client survives (the
   * loser of a refresh re-reads the store). Waiting past `lockWaitMs` fails with `TSMCP_AUTH_STORE_LOCKED`.
   */
  async lock<T>(issuer: string, resource: string, fn: () => Promise<T>): Promise<T> {
    const hash = createHash('sha256')
      .update(JSON.stringify([issuer, resource]))
      .digest('hex')
      .slice(0, 16);
    const file = `${this.path}.${hash}.lock`;
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), id: randomBytes(8).toString('hex') });
    await this.#acquire(file, mine);
    try {
      return await fn();
    } finally {
      // Only our own: a holder too slow (past lockStaleMs) may have been taken over.
      if ((await readFile(file, 'utf8').catch(() => '')) === mine) await unlink(file).catch(() => {});
    }
  }

  async #acquire(file: string, mine: string): Promise<void> {
    const deadline = Date.now() + this.#waitMs;
    let takeovers = 0;
    for (;;) {
      try {
        await writeFile(file, mine, { mode: 0o600, flag: 'wx' });
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST')
          throw new AuthError('TSMCP_AUTH_STORE_WRITE', `Cannot create ${file}`, { document: DOCUMENT }, e);
      }
      // One takeover per call: a second stale lock right after means another process is taking over too.
      if (takeovers === 0 && (await this.#stale(file))) {
        takeovers++;
        await unlink(file).catch(() => {});
        continue;
      }
      if (Date.now() >= deadline)
        throw new AuthError('TSMCP_AUTH_STORE_LOCKED', `${file} is held by another client`, {
          document: DOCUMENT,
          expected: `the lock within ${this.#waitMs} ms (lockWaitMs)`,
          received: await readFile(file, 'utf8').catch(() => 'a lock released meanwhile'),
        });
      await sleep(LOCK_POLL_MS);
    }
  }

  /** Older than lockStaleMs, or held by a process of this host that no longer runs. */
  async #stale(file: string): Promise<boolean> {
    const [info, text] = await Promise.all([stat(file).catch(() => undefined), readFile(file, 'utf8').catch(() => '')]);
    if (!info) return false; // released meanwhile: the next create will tell
    if (Date.now() - info.mtimeMs > this.#staleMs) return true;
    try {
      const { pid, host } = JSON.parse(text) as { pid?: unknown; host?: unknown };
      if (host !== hostname() || typeof pid !== 'number') return false;
      process.kill(pid, 0); // signal 0: only asks whether the process exists
      return false;
    } catch (e) {
      return (e as { code?: string }).code === 'ESRCH';
    }
  }

  async getClient(issuer: string) {
    return (await this.#read()).clients.get(issuer);
  }
  async setClient(issuer: string, client: ClientInformation) {
    await this.#update((c) => this.#put(c.clients, issuer, client));
  }
  async getTokens(issuer: string, resource: string) {
    return (await this.#read()).tokens.get(JSON.stringify([issuer, resource]));
  }
  async setTokens(issuer: string, resource: string, tokens: StoredTokens) {
    await this.#update((c) => this.#put(c.tokens, JSON.stringify([issuer, resource]), tokens));
  }

  async getDiscovery(serverUrl: string) {
    return (await this.#read()).discovery.get(serverUrl);
  }
  async setDiscovery(serverUrl: string, discovery: StoredDiscovery) {
    await this.#update((c) => this.#put(c.discovery, serverUrl, discovery));
  }

  #put<V>(map: Map<string, V>, key: string, value: V) {
    if (!map.has(key) && map.size >= this.#max)
      throw new AuthError('TSMCP_AUTH_STORE_FULL', 'FileTokenStore is full', {
        document: DOCUMENT,
        expected: `at most ${this.#max} entries (maxEntries)`,
        received: `${map.size + 1}`,
      });
    map.set(key, value);
  }

  #update(change: (c: Contents) => void): Promise<void> {
    const run = this.#queue.then(async () => {
      const c = await this.#read();
      change(c);
      const doc = {
        version: 1,
        clients: Object.fromEntries(c.clients),
        tokens: Object.fromEntries(c.tokens),
        ...(c.discovery.size > 0 ? { discovery: Object.fromEntries(c.discovery) } : {}),
      };
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
        await rename(tmp, this.path);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw new AuthError('TSMCP_AUTH_STORE_WRITE', `Cannot write ${this.path}`, { document: DOCUMENT }, e);
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #read(): Promise<Contents> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT')
        return { clients: new Map(), tokens: new Map(), discovery: new Map() };
      throw new AuthError('TSMCP_AUTH_STORE_READ', `Cannot read ${this.path}`, { document: DOCUMENT }, e);
    }
    const corrupt = (received: string, cause?: unknown) =>
      new AuthError(
        'TSMCP_AUTH_STORE_CORRUPT',
        `${this.path} is not a tsmcp token store (left untouched)`,
        { document: DOCUMENT, expected: '{ version: 1, clients: {…}, tokens: {…}, discovery?: {…} }', received },
        cause,
      );
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw corrupt('invalid JSON', e);
    }
    const d = doc as { version?: unknown; clients?: unknown; tokens?: unknown; discovery?: unknown };
    if (!isObject(d) || d.version !== 1 || !isObject(d.clients) || !isObject(d.tokens))
      throw corrupt(isObject(d) ? `version ${String(d.version)}` : typeof doc);
    if (d.discovery !== undefined && !isObject(d.discovery)) throw corrupt('discovery that is not an object');
    const clients = new Map(Object.entries(d.clients as Record<string, ClientInformation>));
    const tokens = new Map(Object.entries(d.tokens as Record<string, StoredTokens>));
    for (const c of clients.values())
      if (!isObject(c) || typeof c.client_id !== 'string') throw corrupt('a client without client_id');
    for (const t of tokens.values())
      if (!isObject(t) || typeof t.access_token !== 'string') throw corrupt('tokens without access_token');
      else if (t.dpopKey !== undefined && !isObject(t.dpopKey)) throw corrupt('a dpopKey that is not a JWK');
    const discovery = new Map(Object.entries((d.discovery ?? {}) as Record<string, StoredDiscovery>));
    for (const r of discovery.values()) {
      const bad = badDiscovery(r);
      if (bad) throw corrupt(`a discovery record: ${bad}`);
    }
    return { clients, tokens, discovery };
  }
}

/** What is wrong with a stored discovery record (the OAuth client sends tokens where it points), if anything. */
function badDiscovery(r: unknown): string | undefined {
  if (!isObject(r)) return 'not an object';
  const m = r.metadata;
  if (typeof r.issuer !== 'string') return 'no issuer';
  if (!isObject(m) || m.issuer !== r.issuer) return 'no metadata of its issuer';
  if (typeof m.token_endpoint !== 'string') return 'metadata without token_endpoint';
  if (r.resource !== undefined && typeof r.resource !== 'string') return 'a resource that is not a string';
  if (r.scope !== undefined && typeof r.scope !== 'string') return 'a scope that is not a string';
  if (r.dpop !== undefined && typeof r.dpop !== 'boolean') return 'a dpop flag that is not a boolean';
  if (typeof r.discoveredAt !== 'number' || !Number.isFinite(r.discoveredAt)) return 'no discoveredAt';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
