// A Lua script run by its SHA (EVALSHA, one round trip); when Redis does not know it yet (first use,
// or after a restart without persistence) it is sent once in full (EVAL).
import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

export class Script {
  readonly #source: string;
  readonly #sha: string;
  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }
  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (e) {
      if (!String((e as Error)?.message).startsWith('NOSCRIPT')) throw e;
      return client.eval(this.#source, { keys, arguments: args });
    }
  }
}
