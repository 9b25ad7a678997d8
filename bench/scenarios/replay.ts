/**
 * Events per second streamed to a client resuming from since=0 over a 100k-event channel in
 * SQLite. wsguard replays through the hub; ws and Socket.IO stream the same rows by a naive loop.
 */
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite.js';
import type { Context } from '../lib/harness.js';
import { withGenerators, withServer } from '../lib/harness.js';
import { REPLAY_CHANNEL } from '../lib/types.js';
import type { Scenario } from './types.js';

/** Builds the replay channel once per run; every system reads the same file. */
async function replayDb(ctx: Context): Promise<string> {
  if (ctx.replayDb) return ctx.replayDb;
  const path = join(ctx.dir, 'replay.db');
  const store = new SqliteEventStore({ path });
  const at = new Date().toISOString();
  for (let done = 0; done < ctx.profile.replayEvents; ) {
    const n = Math.min(1_000, ctx.profile.replayEvents - done);
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.append({ channel: REPLAY_CHANNEL, kind: 'file_upload', path: `reports/2026/file-${done + i}.pdf`, size: 1024 + i, mime: 'application/pdf', sha256: 'b'.repeat(64), by: 'u-replay', at }),
      ),
    );
    done += n;
  }
  await store.close();
  ctx.replayDb = path;
  return path;
}

export const replay: Scenario = {
  id: 'replay',
  metric: 'events_per_s',
  higherIsBetter: true,
  systems: ['wsguard', 'ws', 'socket.io'],
  run: async (ctx, system) => {
    const db = await replayDb(ctx);
    return withServer(ctx, { system, scenario: 'replay', replayDb: db }, (server) =>
      withGenerators(server.target, 1, async ([gen]) => {
        const events = ctx.profile.replayEvents;
        const cpu0 = await server.cpu();
        const r = await gen!.request<{ count: number; ms: number }>('replay', { events, timeoutMs: 120_000 }, 130_000);
        const cpu = (await server.cpu()) - cpu0;
        return [
          { scenario: 'replay', system, metric: 'events_per_s', value: (r.count / r.ms) * 1000 },
          { scenario: 'replay', system, metric: 'cpu_us_per_event', value: cpu / r.count },
        ];
      }),
    );
  },
};
