// The one place deprecations and usage warnings are announced: a process warning with a stable code, once
// per process per code, only when the API is called (never on import, never from tsmcp's own internals).

const warned = new Set<string>();

/**
 * Warn that a deprecated API was used; `message` names the replacement. Codes listed in the
 * TSMCP_NO_DEPRECATION environment variable (comma-separated, or `*`) stay silent — the one way to
 * silence a single code that also works under `--throw-deprecation`.
 */
export function deprecate(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  const silenced = (globalThis as { process?: { env?: { TSMCP_NO_DEPRECATION?: string } } }).process?.env
    ?.TSMCP_NO_DEPRECATION;
  if (silenced && (silenced.trim() === '*' || silenced.split(',').some((c) => c.trim() === code))) return;
  emit(code, message, 'DeprecationWarning');
}

/**
 * Warn, once per process, that an API was used in a way that cannot do what the caller meant (e.g. `ctx.log()`
 * on a server without the logging capability); `message` names the option that fixes it.
 */
export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  emit(code, message, 'Warning');
}

function emit(code: string, message: string, type: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: { type: string; code: string }) => void } })
    .process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { type, code });
  else console.warn(`[${code}] ${type}: ${message}`);
}
