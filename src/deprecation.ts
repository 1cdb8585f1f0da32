// The one place deprecations are announced: a DeprecationWarning with a stable code, once per process
// per code, only when a deprecated API is called (never on import, never from tsmcp's own internals).

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
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: { type: string; code: string }) => void } })
    .process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { type: 'DeprecationWarning', code });
  else console.warn(`[${code}] DeprecationWarning: ${message}`);
}
