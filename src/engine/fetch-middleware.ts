// Fetch middleware: the HTTP-level seam of the client (headers, auth refresh, retries, tracing of the
// exchanges themselves), composed around the fetch the Streamable HTTP client transport uses.

/** The fetch shape the HTTP client transport calls. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps one HTTP exchange: change `init` and call `next`, call it again (a retry), or answer alone.
 * Unlike request middleware it may call `next` more than once.
 * @example
 * const auth: FetchMiddleware = (input, init, next) =>
 *   next(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token()}` } });
 */
export type FetchMiddleware = (
  input: string | URL | Request,
  init: RequestInit | undefined,
  next: FetchLike,
) => Promise<Response>;

/**
 * One fetch that runs `middleware` (the first is the outermost) around `base`; built once, so an
 * exchange pays only the calls. The transport's `fetchMiddleware` option uses it; so can any fetch user.
 * @example new StreamableHttpClientTransport(url, { fetch: composeFetch(fetch, logExchanges, addAuth) })
 */
export function composeFetch(base: FetchLike, ...middleware: FetchMiddleware[]): FetchLike {
  return middleware.reduceRight<FetchLike>((next, mw) => (input, init) => mw(input, init, next), base);
}
