// Response cache for cacheable results (2026-07-28 `ttlMs`/`cacheScope`): fresh while now < received + ttlMs.
import { canonicalJson } from '../protocol/canonical-json.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import { uriCovers } from '../protocol/uri.js';

interface Entry {
  result: JsonObject;
  expires: number;
  method: string;
  uri: string | undefined;
}

const CACHEABLE = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);
const KIND_OF: { [method: string]: string } = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
};

/** In-memory cache; one per client (one authorization context), bounded in entries. */
export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  constructor(maxEntries = 1000) {
    this.#max = maxEntries;
  }

  static cacheable(method: string): boolean {
    return CACHEABLE.has(method);
  }

  #key(method: string, params: JsonObject): string {
    const { _meta: _m, ...rest } = params;
    return `${method} ${canonicalJson(rest)}`;
  }

  get(method: string, params: JsonObject): JsonObject | undefined {
    const key = this.#key(method, params);
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (Date.now() >= e.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.result;
  }

  /** Store a complete result if its hints allow; missing or negative ttlMs means "stale at once". */
  put(method: string, params: JsonObject, result: JsonObject): void {
    const ttl = typeof result.ttlMs === 'number' && result.ttlMs > 0 ? result.ttlMs : 0;
    if (ttl === 0 || result.resultType !== 'complete') return;
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(this.#key(method, params), {
      result,
      expires: Date.now() + ttl,
      method,
      uri: typeof params.uri === 'string' ? params.uri : undefined,
    });
  }

  /** Drop what a list-changed notification of `kind` (tools, prompts, resources) makes stale. */
  invalidateList(kind: string): void {
    for (const [k, e] of this.#entries) if (KIND_OF[e.method] === kind) this.#entries.delete(k);
  }

  /** Drop cached reads of `uri` and of the sub-resources it covers (see `uriCovers`). */
  invalidateResource(uri: string): void {
    for (const [k, e] of this.#entries)
      if (e.method === 'resources/read' && e.uri !== undefined && uriCovers(uri, e.uri)) this.#entries.delete(k);
  }

  /** Drop every page of a list (an invalid cursor means the pages no longer fit together). */
  invalidateMethod(method: string): void {
    for (const [k, e] of this.#entries) if (e.method === method) this.#entries.delete(k);
  }

  clear(): void {
    this.#entries.clear();
  }
}
