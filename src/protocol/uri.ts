// What a resource subscription covers: one definition for server routing, the client's legacy filter
// and its cache. The spec says an update "might be a sub-resource" of the subscribed URI; we read that
// as a path below it.

/**
 * Whether a subscription to `subscribed` covers an update of `uri`: the same URI, or `subscribed` is a
 * prefix of `uri` that ends at a hierarchy boundary (the next character of `uri` is '/', or
 * `subscribed` itself ends with '/'). `file:///a` covers `file:///a/b`, not `file:///ab` or `file:///a?x`.
 */
export function uriCovers(subscribed: string, uri: string): boolean {
  if (uri === subscribed) return true;
  if (!uri.startsWith(subscribed)) return false;
  return subscribed.endsWith('/') || uri[subscribed.length] === '/';
}
