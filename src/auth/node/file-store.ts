// A TokenStore in one JSON file for CLIs: owner-only (0600), replaced atomically (temp file in the same
// folder, then rename), never silently reset when unreadable.
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuthError } from '../client/errors.js';
import {
  type ClientInformation,
  DEFAULT_TOKEN_STORE_MAX_ENTRIES,
  type StoredTokens,
  type TokenStore,
} from '../client/store.js';

interface Contents {
  clients: Map<string, ClientInformation>;
  tokens: Map<string, StoredTokens>;
}

const DOCUMENT = 'token store file';

/**
 * A `TokenStore` kept in the JSON file at `path` (created on first write, mode 0600; its folder must
 * exist). Every write reads
 * the file, changes one entry and renames a fresh copy over it, so a crash never leaves half a file. A
 * file that is not this store's JSON fails with `TSMCP_AUTH_STORE_CORRUPT` and is left as it is.
 * Writes of one process are serialized; two processes writing at once: the last rename wins.
 * Bounded like `MemoryTokenStore`: at most `maxEntries` issuers and as many issuer+resource pairs
 * (default 100, `DEFAULT_TOKEN_STORE_MAX_ENTRIES`); a new key past it fails with `TSMCP_AUTH_STORE_FULL`.
 * @example
 * const store = new FileTokenStore(join(homedir(), '.config', 'my-cli', 'tokens.json'));
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  readonly #max: number;
  /** Writes of this process, one after another (read-modify-rename must not interleave). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: { maxEntries?: number } = {}) {
    this.path = path;
    this.#max = options.maxEntries ?? DEFAULT_TOKEN_STORE_MAX_ENTRIES;
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
      const text = `${JSON.stringify({ version: 1, clients: Object.fromEntries(c.clients), tokens: Object.fromEntries(c.tokens) }, null, 2)}\n`;
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
      if ((e as { code?: string }).code === 'ENOENT') return { clients: new Map(), tokens: new Map() };
      throw new AuthError('TSMCP_AUTH_STORE_READ', `Cannot read ${this.path}`, { document: DOCUMENT }, e);
    }
    const corrupt = (received: string, cause?: unknown) =>
      new AuthError(
        'TSMCP_AUTH_STORE_CORRUPT',
        `${this.path} is not a tsmcp token store (left untouched)`,
        { document: DOCUMENT, expected: '{ version: 1, clients: {…}, tokens: {…} }', received },
        cause,
      );
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw corrupt('invalid JSON', e);
    }
    const d = doc as { version?: unknown; clients?: unknown; tokens?: unknown };
    if (!isObject(d) || d.version !== 1 || !isObject(d.clients) || !isObject(d.tokens))
      throw corrupt(isObject(d) ? `version ${String(d.version)}` : typeof doc);
    const clients = new Map(Object.entries(d.clients as Record<string, ClientInformation>));
    const tokens = new Map(Object.entries(d.tokens as Record<string, StoredTokens>));
    for (const c of clients.values())
      if (!isObject(c) || typeof c.client_id !== 'string') throw corrupt('a client without client_id');
    for (const t of tokens.values())
      if (!isObject(t) || typeof t.access_token !== 'string') throw corrupt('tokens without access_token');
    return { clients, tokens };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
