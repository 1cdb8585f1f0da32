// Preloaded (`node --expose-gc --import <this>`) into every measured server child of `npm run bench`, so the
// tsmcp, official and bare servers are all measured the same way over their IPC channel. The child's
// own stdio stays free for the wire. Messages are `{ id, op }`; the answer carries the same `id`.
//
// Allocation per request (`alloc-start` … `alloc-stop`): the child runs with a large young generation
// (`--min-semi-space-size`/`--max-semi-space-size`, set by the parent), is fully collected at
// `alloc-start`, and then serves the window's requests. While no GC runs, the JS heap only grows, so the
// rise of `used_heap_size` is exactly the bytes allocated in the window (new space and pretenured old
// space alike). A `v8.GCProfiler` spans the window: if any GC ran, the figure is discarded (`gcs` > 0) and
// the parent retries with a smaller window. Not counted: off-heap stores of Buffers/ArrayBuffers (socket
// reads and writes), which no JS-level figure sees. Cross-check: the bare handlers' figure is small and
// stable from window to window; V8's sampling heap profiler gives the same order of magnitude.
import v8 from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
let window: { before: number; profiler: v8.GCProfiler } | undefined;

process.on('message', (m: { id?: number; op?: string }) => {
  if (typeof m !== 'object' || m === null || typeof m.id !== 'number') return;
  const reply = (r: object) => process.send!({ id: m.id, ...r });
  switch (m.op) {
    case 'cpu':
      return reply({ cpu: process.cpuUsage() });
    case 'mem': {
      for (let i = 0; i < 3; i++) gc?.();
      const u = process.memoryUsage();
      return reply({ rss: u.rss, heap: u.heapUsed });
    }
    case 'alloc-start': {
      gc?.();
      gc?.();
      const profiler = new v8.GCProfiler();
      profiler.start();
      window = { before: v8.getHeapStatistics().used_heap_size, profiler };
      return reply({});
    }
    case 'alloc-stop': {
      const after = v8.getHeapStatistics().used_heap_size;
      const w = window!;
      window = undefined;
      const gcs = w.profiler.stop()?.statistics.length ?? 0;
      return reply({ bytes: after - w.before, gcs });
    }
    case 'exit':
      return process.exit(0);
  }
});
// The parent is gone (or closed the channel): leave too, whatever the server holds open.
process.on('disconnect', () => process.exit(0));
