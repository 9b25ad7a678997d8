/**
 * Operator inputs the LIMIT checks need that AuditOptions does not carry yet. They ride on the
 * options object as extra keys (resolveOptions keeps unknown keys) until the engine/CLI adds
 * them: --max-message, --max-conns, --slow-interval, --slow-wait, --backpressure-wait,
 * --stream-message, --rate-messages, --fragments.
 */
import type { AuditOptions } from '../../types.js';

export interface LimitOptions {
  /** LIMIT-01/04: the operator's declared message cap in bytes (default 64 KiB, OWASP). */
  maxMessageBytes: number;
  /** LIMIT-03: continuation frames to send. */
  fragmentCount: number;
  /** LIMIT-05: messages to send, and the window they are spread over. */
  rateMessages: number;
  rateWindowMs: number;
  /** LIMIT-06: most connections to hold open. */
  maxConns: number;
  /** LIMIT-07: gap between header lines, and how long to watch. */
  slowHeaderIntervalMs: number;
  slowWaitMs: number;
  /** LIMIT-08: how long to stop reading, and the message that makes the server produce. */
  backpressureWaitMs: number;
  streamMessage?: string;
  /** LIMIT-09: latency growth that counts as super-linear parsing. */
  timingThresholdMs: number;
}

export const LIMIT_DEFAULTS: LimitOptions = {
  maxMessageBytes: 64 * 1024,
  fragmentCount: 200_000,
  rateMessages: 500,
  rateWindowMs: 10_000,
  maxConns: 100,
  slowHeaderIntervalMs: 10_000,
  slowWaitMs: 120_000,
  backpressureWaitMs: 120_000,
  timingThresholdMs: 400,
};

type NumericKey = Exclude<keyof LimitOptions, 'streamMessage'>;

/** Hard ceilings so a typo cannot turn a probe into a flood. */
const CEILINGS: Partial<Record<NumericKey, number>> = { fragmentCount: 1_000_000, rateMessages: 5000, maxConns: 1000 };

/** Without --thorough the slowloris and stalled-reader watches are short (see observationWindows). */
export const SHORT_WINDOWS: Pick<LimitOptions, 'slowWaitMs' | 'backpressureWaitMs'> = { slowWaitMs: 25_000, backpressureWaitMs: 30_000 };

export function limitOptions(o: AuditOptions): LimitOptions {
  const given = o as AuditOptions & Partial<LimitOptions>;
  const out: LimitOptions = { ...LIMIT_DEFAULTS, ...(o.thorough ? {} : SHORT_WINDOWS) };
  for (const k of Object.keys(LIMIT_DEFAULTS) as NumericKey[]) {
    const v = given[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = Math.min(v, CEILINGS[k] ?? v);
  }
  if (typeof given.streamMessage === 'string' && given.streamMessage) out.streamMessage = given.streamMessage;
  return out;
}

export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  if (n >= mib) return `${Math.floor(n / mib)} MiB${n % mib ? ` + ${n % mib}` : ''}`;
  if (n >= 1024) return `${Math.floor(n / 1024)} KiB${n % 1024 ? ` + ${n % 1024}` : ''}`;
  return `${n} B`;
}
