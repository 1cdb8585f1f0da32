// Read a Fetch API body as UTF-8 text, at most `limit` bytes: shared by the web server front (requests),
// the HTTP client (responses) and the OAuth client (metadata and token answers), so none holds more than its bound.

/**
 * The body as text, or undefined when it declares or turns out to be larger than `limit` bytes; then the
 * stream is cancelled at once, so nothing more is read or buffered.
 * @internal
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  limit: number,
): Promise<string | undefined> {
  if (Number(declaredLength ?? Number.NaN) > limit) {
    await body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
