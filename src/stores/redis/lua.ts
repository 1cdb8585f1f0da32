// Lua scripts for the legacy-session pieces: one round trip per operation, EVALSHA with the script
// sent again (EVAL) when Redis does not know it yet (first use, or after a restart).
import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

/** A script run by its SHA1, loaded on demand. @internal */
export class LuaScript {
  readonly #src: string;
  readonly #sha: string;
  constructor(src: string) {
    this.#src = src;
    this.#sha = createHash('sha1').update(src).digest('hex');
  }

  async run<T>(client: RedisClient, keys: string[], args: (string | number)[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return (await client.sendCommand(['EVALSHA', this.#sha, ...tail])) as T;
    } catch (e) {
      if (!String((e as Error)?.message).startsWith('NOSCRIPT')) throw e;
      return (await client.sendCommand(['EVAL', this.#src, ...tail])) as T;
    }
  }
}
