/**
 * The server child: starts one system (argv: ServerSpec as JSON) and answers the harness:
 * `info` (port, notes), `mem` (RSS and heap after a full GC), `cpu` (CPU µs used) and `heap` (write a heap snapshot).
 * Run with --expose-gc.
 */
import { writeHeapSnapshot } from 'node:v8';
import { childArg, serve } from './lib/ipc.js';
import type { ServerSpec } from './lib/types.js';
import { startFloor } from './systems/floor.js';
import { startSocketIo } from './systems/socketio.js';
import type { StartedServer } from './systems/types.js';
import { startWs } from './systems/ws.js';
import { startWsguard } from './systems/wsguard.js';

const spec = childArg<ServerSpec>();

function start(): Promise<StartedServer> {
  if (spec.system === 'ws') return startWs(spec);
  if (spec.system === 'floor') return startFloor(spec);
  if (spec.system === 'socket.io' || spec.system === 'socket.io-streams') return startSocketIo(spec);
  return startWsguard(spec);
}

async function settledMemory(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

const started = start();
serve(
  {
    info: async () => {
      const s = await started;
      return { port: s.port, notes: s.notes };
    },
    mem: () => settledMemory(),
    // CPU time this process used so far (µs): the cost per operation, whatever the generators manage.
    cpu: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
    heap: (a: { path: string }) => writeHeapSnapshot(a.path),
  },
  async () => (await started).close(),
);
