// Opaque, stable cursors over a deterministic list. A cursor encodes the name of the last item served
// (not an offset), so a page boundary stays put when items are added or removed before it.
import { base64UrlToUtf8, utf8ToBase64Url } from '../protocol/base64.js';
import { invalidParams } from '../protocol/errors.js';

/** One page of `items` after `cursor`; `keyOf` gives each item's stable key. */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const raw = typeof cursor === 'string' ? base64UrlToUtf8(cursor) : undefined;
    if (raw === undefined || !raw.startsWith('k:')) throw invalidParams('Invalid cursor');
    const key = raw.slice(2);
    const i = items.findIndex((it) => keyOf(it) === key);
    if (i < 0) throw invalidParams('Invalid cursor: the item it points at no longer exists; list again from the start');
    start = i + 1;
  }
  const page = items.slice(start, start + pageSize);
  if (start + pageSize < items.length && page.length > 0)
    return { page, nextCursor: utf8ToBase64Url(`k:${keyOf(page[page.length - 1]!)}`) };
  return { page };
}
