/** Command line: `--full`, `--only a,b`, `--tiny` (smoke test sizes), `--repeat N` (runs per system, interleaved),
 * `--out DIR`, `--cpu-prof DIR` (profile the servers), `--heap-snapshot DIR` (idle: a heap snapshot of each server with its connections open). */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, type Profile, type ScenarioId } from './types.js';

export interface Args {
  readonly profileName: 'quick' | 'full' | 'tiny';
  readonly profile: Profile;
  readonly only: readonly ScenarioId[];
  readonly outDir: string;
  readonly cpuProfDir?: string;
  readonly heapDir?: string;
}

/** Open files allowed per process: the server needs one per connection. */
function fileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

const QUICK: Profile = {
  full: false,
  idleConnections: 10_000,
  handshakeMs: 3_000,
  handshakeConcurrency: 32,
  inboundMs: 3_000,
  inboundConnections: 16,
  inboundWindow: 32,
  fanoutSubscribers: 5_000,
  fanoutEvents: 20,
  clusterSubscribers: 3_000,
  clusterEvents: 20,
  clusterLossEvents: 200,
  clusterLossIntervalMs: 10,
  clusterCutMs: 1_000,
  replayEvents: 100_000,
  // The idle-timeout check would wait 5 minutes on servers without one (ws, Socket.IO).
  auditIdleWaitSec: 10,
  // WSG-LIMIT-07 (slowloris) and WSG-LIMIT-08 (slow consumer) would wait about 90 s each per target.
  auditSlowWaitSec: 15,
  generators: 2,
  repeats: 3,
};

export const MAX_REPEATS = 50;

function fullProfile(): Profile {
  // 50k idle / 20k subscribers when the file limit allows it, else as many as fit beside spare descriptors.
  const room = Math.max(1_000, fileLimit() - 1_000);
  return { ...QUICK, full: true, idleConnections: Math.min(50_000, room), handshakeMs: 10_000, inboundMs: 10_000, fanoutSubscribers: Math.min(20_000, room), fanoutEvents: 50, clusterSubscribers: Math.min(15_000, room), clusterEvents: 50, generators: 4, repeats: 5, auditIdleWaitSec: undefined, auditSlowWaitSec: undefined };
}

const TINY: Profile = { ...QUICK, idleConnections: 40, handshakeMs: 300, handshakeConcurrency: 4, inboundMs: 300, inboundConnections: 2, inboundWindow: 4, fanoutSubscribers: 20, fanoutEvents: 2, clusterSubscribers: 30, clusterEvents: 2, clusterLossEvents: 40, clusterLossIntervalMs: 10, clusterCutMs: 150, replayEvents: 500, generators: 1, repeats: 1 };

export function parseCli(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: { full: { type: 'boolean' }, tiny: { type: 'boolean' }, only: { type: 'string', multiple: true }, repeat: { type: 'string' }, out: { type: 'string' }, 'cpu-prof': { type: 'string' }, 'heap-snapshot': { type: 'string' } },
  });
  const only = (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const s of only) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario '${s}' (one of ${SCENARIOS.join(', ')})`);
  const profileName = values.tiny ? 'tiny' : values.full ? 'full' : 'quick';
  const base = profileName === 'tiny' ? TINY : profileName === 'full' ? fullProfile() : QUICK;
  let repeats = base.repeats;
  if (values.repeat !== undefined) {
    repeats = Number(values.repeat);
    if (!/^\d+$/.test(values.repeat) || repeats < 1 || repeats > MAX_REPEATS) throw new Error(`--repeat: a whole number from 1 to ${MAX_REPEATS} (got '${values.repeat}')`);
  }
  return {
    profileName,
    profile: { ...base, repeats },
    only: only.length > 0 ? (only as ScenarioId[]) : SCENARIOS,
    outDir: values.out ?? fileURLToPath(new URL('../results/', import.meta.url)),
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
    ...(values['heap-snapshot'] ? { heapDir: values['heap-snapshot'] } : {}),
  };
}
