// Lua scripts of the Redis stores: one round trip per operation, EVALSHA with the script
// sent again (EVAL) when Redis does not know it yet (first use, or after a restart).
import type { RedisClient } from './connection.js';

/** A script run by its SHA1, loaded on demand. @internal */
export class LuaScript {
  readonly #src: string;
  /**
   * Its SHA1 hex (Web Crypto: the package roots import nothing Node-only). One promise every run awaits,
   * so runs issued in order reach Redis in order.
   */
  readonly #sha: Promise<string>;
  constructor(src: string) {
    this.#src = src;
    this.#sha = crypto.subtle.digest('SHA-1', new TextEncoder().encode(src)).then(hex);
  }

  async run<T>(client: RedisClient, keys: string[], args: (string | number)[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    const sha = await this.#sha;
    try {
      return (await client.sendCommand(['EVALSHA', sha, ...tail])) as T;
    } catch (e) {
      if (!String((e as Error)?.message).startsWith('NOSCRIPT')) throw e;
      return (await client.sendCommand(['EVAL', this.#src, ...tail])) as T;
    }
  }
}

function hex(buf: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(buf)) out += b.toString(16).padStart(2, '0');
  return out;
}
