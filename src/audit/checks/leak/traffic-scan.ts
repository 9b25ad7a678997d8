/** Helpers for the passive LEAK checks: what the server sent, minus echoes of what we sent. */
import type { CheckContext, TrafficEntry, TrafficKind } from '../../types.js';

/** Evidence never carries a secret verbatim: first 6 characters, then an ellipsis. */
export function mask(s: string): string {
  return s.length <= 6 ? `${s.slice(0, 2)}…` : `${s.slice(0, 6)}…`;
}

export function short(s: string, n = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

/** Server → client entries of these kinds; skips (not passes) when the audit recorded none. */
export function inbound(ctx: CheckContext, kinds: TrafficKind[]): TrafficEntry[] {
  const list = ctx.traffic.entries().filter((e) => e.direction === 'in' && kinds.includes(e.kind) && !(e.kind === 'http' && e.status === 101));
  if (list.length === 0) ctx.skip(`no server ${kinds.join('/')} traffic recorded: run the LEAK checks together with the active checks`);
  return list;
}

/** True when `match` also appears in something we sent (the server echoing our own probe). */
export function echoChecker(ctx: CheckContext): (match: string) => boolean {
  const sent = ctx.traffic.entries().filter((e) => e.direction === 'out').map((e) => e.text);
  return (match) => sent.some((t) => t.includes(match));
}

export function where(e: TrafficEntry): string {
  const kind = e.kind === 'frame' ? `${e.opcode === 2 ? 'binary' : 'text'} frame` : e.kind === 'close' ? `close ${e.closeCode ?? ''} reason` : `HTTP ${e.status ?? ''} answer`;
  return `${kind} (during ${e.checkId})`;
}
