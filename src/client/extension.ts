// The client side of the extension seam: declare an extension, follow the result types it adds,
// answer input through it. See docs/extensions.md.
import type { JsonObject } from '../protocol/jsonrpc.js';
import type { InputRequests, InputResponses } from '../protocol/types.js';
import type { CallOptions, Client } from './client.js';

/** An extension of the client, installed by `new Client(info, { extensions: [...] })`. */
export interface ClientExtension {
  /** Reverse-DNS id, e.g. `com.example/echo-ui`. */
  readonly id: string;
  install(host: ClientExtensionHost): void;
}

/** Follows a result of an extension's `resultType` to the method's final result. */
export type ResultFollower = (
  result: JsonObject,
  call: { method: string; params: JsonObject; options: CallOptions },
) => Promise<JsonObject>;

/** What `install` receives. */
export interface ClientExtensionHost {
  readonly client: Client;
  /** Declare the extension in `capabilities.extensions[id]` on every request (default settings `{}`). */
  declareCapability(settings?: JsonObject): void;
  /** Results of `resultType` answering one of `methods` go to `follow`, whose answer the call resolves with. */
  followResultType(resultType: string, methods: readonly string[], follow: ResultFollower): void;
  /** Legacy results of requests `when` matches are returned as received (an augmented call answers another shape). */
  passLegacyResult(when: (method: string, params: JsonObject) => boolean): void;
  /** Answer input requests with the client's handlers (bounded like a round's input). */
  answer(requests: InputRequests, signal?: AbortSignal): Promise<InputResponses>;
  /** Check a final result has the shape `method` promises (TSMCP_INVALID_RESPONSE otherwise). */
  check(method: string, result: JsonObject): JsonObject;
}
