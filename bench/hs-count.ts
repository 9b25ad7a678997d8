/**
 * A fixed number of handshakes against one system, for repeatable per-handshake costs (CPU time,
 * callgrind instruction counts, strace syscall counts of the server alone), where the bench's
 * handshake scenario runs for a fixed time.
 *
 *   node --import tsx bench/hs-count.ts server <system> <dir>      # prints {"port","pid"}; stdin "cpu" → user and system CPU µs so far
 *   node --import tsx bench/hs-count.ts client <system> <port> <n> [concurrency=32] [base=0]
 *
 * The client speaks the same dialect as the bench's generators (lib/dialects.ts) with the same
 * tokens (lib/tokens.ts: 8 connections per user) and source addresses. Every loop is bounded by `n`.
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import { sourceAddress } from './lib/addresses.js';
import { DIALECTS } from './lib/dialects.js';
import { tokenFor, userFor } from './lib/tokens.js';
import type { SystemId } from './lib/types.js';
import { startWs } from './systems/ws.js';
import { startWsguard } from './systems/wsguard.js';

const SECRET = 'hs-count-secret-0123456789abcdef0123456789';
const [mode, system, a3, a4, a5, a6] = process.argv.slice(2) as [string, SystemId, string, string?, string?, string?];

if (mode === 'server') {
  const spec = { system, scenario: 'handshake' as const, secret: SECRET, dir: a3 };
  const s = system === 'ws' ? await startWs(spec) : await startWsguard(spec);
  process.stdout.write(`${JSON.stringify({ port: s.port, pid: process.pid })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'cpu') {
      const u = process.cpuUsage();
      process.stdout.write(`${u.user} ${u.system}\n`);
    } else if (line === 'quit') break;
  }
  await s.close();
  process.exit(0);
} else {
  const port = Number(a3);
  const n = Number(a4);
  const concurrency = Number(a5 ?? 32);
  let next = Number(a6 ?? 0);
  const end = next + n;
  const dialect = DIALECTS[system];
  const agent = new http.Agent({ keepAlive: true });
  let failed = 0;
  let error: string | undefined;
  const t0 = performance.now();
  const loop = async () => {
    while (next < end) {
      const i = next++;
      try {
        const token = await tokenFor(SECRET, userFor(i));
        const conn = await dialect.connect({ system, port, secret: SECRET }, { localAddress: sourceAddress(i), token, agent });
        await conn.close();
      } catch (e) {
        failed++;
        error ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const ms = performance.now() - t0;
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ n, failed, ms: Math.round(ms), perSec: Math.round((n / ms) * 1000), ...(error ? { error } : {}) })}\n`);
}
