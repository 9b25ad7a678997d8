/** The hub settings the frame fuzzer runs against: defaults, except limits that would refuse the fuzzer's own handshakes. */
import type { GuardOverrides } from './hub-process.js';
import type { Limits } from './frame-cases.js';

/** Every case is a new connection from one address with one subject: lift the handshake rate and caps (DoS drills test those). */
export const FUZZ_GUARD: GuardOverrides = {
  handshakeRate: { perSec: 100_000, burst: 100_000 },
  authFailures: { perMin: 100_000, burst: 100_000 },
  caps: { global: 10_000, perIp: 10_000, perUser: 10_000 },
};

/** The server's defaults (src/server/options.ts): what the oracle must assume. */
export const FUZZ_LIMITS: Limits = { maxPayload: 64 * 1024, maxFragments: 1024 };

/** Heap growth of the hub across a run, after GC and once every connection is gone. */
export const HEAP_GROWTH_BOUND = 8 * 1024 * 1024;
