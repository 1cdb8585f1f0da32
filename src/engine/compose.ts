// The onion both middleware chains use (server requests, client requests): built once when the chain
// changes, so a request pays only the calls of the middleware it passes through.
import { TsmcpError } from '../protocol/errors.js';

/** One layer: do something before and after `next()`, or answer without calling it. */
export type Layer<Req, Res> = (req: Req, next: () => Promise<Res>) => Promise<Res>;

/**
 * Compose `layers` (the first is the outermost) into one function that runs them around `inner`.
 * `next()` called twice by one layer rejects with `TSMCP_MIDDLEWARE` (it would run the request twice).
 */
export function compose<Req, Res>(
  layers: readonly Layer<Req, Res>[],
): (req: Req, inner: () => Promise<Res>) => Promise<Res> {
  const list = [...layers];
  return (req, inner) => {
    let last = -1;
    const run = (i: number): Promise<Res> => {
      if (i <= last)
        return Promise.reject(new TsmcpError('TSMCP_MIDDLEWARE', 'A middleware called next() more than once'));
      last = i;
      const layer = list[i];
      if (layer === undefined) return inner();
      try {
        return Promise.resolve(layer(req, () => run(i + 1)));
      } catch (e) {
        return Promise.reject(e); // a layer that is not async and throws
      }
    };
    return run(0);
  };
}
