// A progress bar on stderr for `notifications/progress`, drawn only when stderr is a terminal (a pipe
// or a log file gets nothing, so scripts see clean output).
import type { ProgressParams } from '../protocol/types.js';

const WIDTH = 24;

export interface ProgressBar {
  update(p: ProgressParams): void;
  /** Erase the bar (before other output, and at the end). */
  clear(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  let shown = false;
  const tty = stream.isTTY === true;
  return {
    update(p) {
      if (!tty) return;
      const ratio = p.total ? Math.max(0, Math.min(1, p.progress / p.total)) : undefined;
      const bar =
        ratio === undefined
          ? `[${'.'.repeat(WIDTH)}] ${p.progress}`
          : `[${'#'.repeat(Math.round(ratio * WIDTH)).padEnd(WIDTH, '-')}] ${Math.round(ratio * 100)}%`;
      const cols = stream.columns || 80;
      const text = `${bar}${p.message ? ` ${p.message}` : ''}`.slice(0, cols - 1);
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
