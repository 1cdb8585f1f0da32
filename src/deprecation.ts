// The one place deprecations are announced: a DeprecationWarning with a stable code, once per process
// per code, only when a deprecated API is called (never on import, never from tsmcp's own internals).

const warned = new Set<string>();

/** Warn that a deprecated API was used; `message` names the replacement. */
export function deprecate(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: { type: string; code: string }) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { type: 'DeprecationWarning', code });
  else console.warn(`[${code}] DeprecationWarning: ${message}`);
}
