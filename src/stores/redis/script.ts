// A Lua script run by its SHA (EVALSHA, one round trip); when Redis does not know it yet (first use,
// or after a restart without persistence) it is sent once in full (EVAL).
import type { RedisClient } from './connection.js';

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  let out = '';
  for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, '0');
  return out;
}

export class Script {
  readonly #source: string;
  #sha: Promise<string> | undefined;
  constructor(source: string) {
    this.#source = source;
  }
  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(await (this.#sha ??= sha1(this.#source)), { keys, arguments: args });
    } catch (e) {
      if (!String((e as Error)?.message).startsWith('NOSCRIPT')) throw e;
      return client.eval(this.#source, { keys, arguments: args });
    }
  }
}
