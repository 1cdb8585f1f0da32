// Counts Redis work for the fleet benchmark over two raw loopback connections: INFO commandstats (every
// command, those a Lua script runs included) and MONITOR (commands clients sent: the round trips).
import { connect, type Socket } from 'node:net';

export interface RedisSnapshot {
  stats: Map<string, number>;
  sent: Map<string, number>;
}
export interface RedisCounter {
  snapshot(): Promise<RedisSnapshot>;
  delta(
    a: RedisSnapshot,
    b: RedisSnapshot,
  ): { commands: number; roundTrips: number; byCommand: { [cmd: string]: number } };
  close(): void;
}

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });

/** RESP2 command (array of bulk strings). */
const command = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

export async function redisCounter(port: number): Promise<RedisCounter> {
  const ctl = await open(port);
  const mon = await open(port);
  const own = `127.0.0.1:${ctl.localPort}`;
  // Replies on ctl: only bulk strings ($n) and simple strings/errors (+/-), one request at a time.
  let buf = Buffer.alloc(0);
  let waiting: ((reply: string) => void) | undefined;
  ctl.on('data', (b: Buffer) => {
    buf = Buffer.concat([buf, b]);
    const eol = buf.indexOf('\r\n');
    if (eol < 0 || !waiting) return;
    const head = buf.subarray(0, eol).toString();
    let reply: string;
    if (head[0] === '$') {
      const n = Number(head.slice(1));
      if (buf.length < eol + 2 + n + 2) return;
      reply = buf.subarray(eol + 2, eol + 2 + n).toString();
      buf = buf.subarray(eol + 2 + n + 2);
    } else {
      reply = head;
      buf = buf.subarray(eol + 2);
    }
    const w = waiting;
    waiting = undefined;
    w(reply);
  });
  const ask = (...args: string[]) =>
    new Promise<string>((resolve) => {
      waiting = resolve;
      ctl.write(command(...args));
    });

  const sent = new Map<string, number>();
  const marks = new Map<string, () => void>();
  let partial = '';
  mon.setEncoding('utf8');
  mon.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\r\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = /^\+\S+ \[\d+ ([^\]]+)\] "([^"]*)"(?: "([^"]*)")?/.exec(line);
      if (!m) continue;
      if (m[1] === own) marks.get(m[3] ?? '')?.();
      else if (m[1] !== 'lua') sent.set(m[2]!.toLowerCase(), (sent.get(m[2]!.toLowerCase()) ?? 0) + 1);
    }
  });
  mon.write(command('MONITOR'));

  let mark = 0;
  return {
    async snapshot() {
      // The marker seen on MONITOR means every command sent before it has been seen too.
      const id = `bench-mark-${++mark}`;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const seen = new Promise<void>((resolve, reject) => {
        marks.set(id, resolve);
        timer = setTimeout(() => reject(new Error('MONITOR did not show the marker within 5 s')), 5000);
      });
      await ask('ECHO', id);
      await seen.finally(() => (clearTimeout(timer), marks.delete(id)));
      const stats = new Map<string, number>();
      for (const m of (await ask('INFO', 'commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
        if (!['info', 'echo', 'monitor'].includes(m[1]!)) stats.set(m[1]!, Number(m[2]));
      return { stats, sent: new Map(sent) };
    },
    delta(a, b) {
      const sum = (x: Map<string, number>, y: Map<string, number>) =>
        [...y].reduce((s, [k, v]) => s + v - (x.get(k) ?? 0), 0);
      const byCommand: { [cmd: string]: number } = {};
      for (const [k, v] of b.sent) if (v !== (a.sent.get(k) ?? 0)) byCommand[k] = v - (a.sent.get(k) ?? 0);
      return { commands: sum(a.stats, b.stats), roundTrips: sum(a.sent, b.sent), byCommand };
    },
    close() {
      ctl.destroy();
      mon.destroy();
    },
  };
}
