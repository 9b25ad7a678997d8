/**
 * Operator inputs the INPUT checks need that AuditOptions does not carry yet; they ride on the
 * options object as extra keys until the engine/CLI adds them: --render-field (INPUT-01),
 * --sleep-ms (INPUT-02), --ip-banned / --ip-limit-attempts (INPUT-04).
 */
import type { AuditOptions } from '../../types.js';

export interface InputOptions {
  /** INPUT-01: reply fields the client renders as HTML (confirms a finding). */
  renderFields: string[];
  /** INPUT-02: injected sleep length; a reply slower by about this much counts. */
  sleepMs: number;
  /** INPUT-04: the operator confirms a per-IP ban or limit is active for this client now. */
  ipBanned: boolean;
  /** INPUT-04: let the check trigger the per-IP limit itself with up to this many failed handshakes (0 = do not). */
  ipLimitAttempts: number;
}

export function inputOptions(o: AuditOptions): InputOptions {
  const g = o as AuditOptions & Partial<InputOptions>;
  const num = (v: unknown, d: number, max: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, max) : d);
  return {
    renderFields: Array.isArray(g.renderFields) ? g.renderFields.filter((f) => typeof f === 'string') : [],
    sleepMs: num(g.sleepMs, 5000, 30_000),
    ipBanned: g.ipBanned === true,
    ipLimitAttempts: num(g.ipLimitAttempts, 0, 100),
  };
}
