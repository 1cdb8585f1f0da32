// Test helper: run the BUILT `tsmcp` CLI (dist/src/cli/main.js) as a user would, bounded in time; and in a
// pseudo-terminal through util-linux `script`, driven by writing answers when a prompt appears.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { distPath } from '../helpers/raw-stdio.js';

export const CLI = distPath('src/cli/main.js');
export const EVERYTHING = distPath('examples/conformance/server.js');
export const OFFICIAL_V2 = distPath('test/fixtures/official-v2-server.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcessWithoutNullStreams>();
/** Kill whatever a test left running (call in `after`). */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Start the CLI; `done` settles when it exits (killed after `timeoutMs`, then it rejects). */
export function start(args: string[], timeoutMs = 30_000) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`tsmcp ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** Run the CLI to its end. */
export const tsmcp = (...args: string[]): Promise<Run> => start(args).done;

/** Run the CLI and parse its --json stdout (asserting exit 0 with a readable failure). */
export async function tsmcpJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await tsmcp('--json', ...args);
  if (r.code !== 0)
    throw new Error(`tsmcp ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run the CLI in a pseudo-terminal (`script -qfec`): stdin, stdout and stderr are a TTY. `answers` are
 * [prompt text, line to type] pairs: each line is written once its prompt has appeared in the output.
 */
export async function inTerminal(args: string[], answers: [string, string][] = [], timeoutMs = 30_000) {
  const cmd = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: 'pipe' });
  children.add(child);
  let out = '';
  let next = 0;
  let from = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    while (next < answers.length) {
      const at = out.indexOf(answers[next]![0], from);
      if (at < 0) break;
      from = at + answers[next]![0].length;
      child.stdin.write(`${answers[next]![1]}\r`);
      next++;
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsmcp in a terminal did not exit within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, out });
    });
  });
}

/** Poll `check` every 50 ms, at most `ms`; rejects with `what` when it never holds. */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
