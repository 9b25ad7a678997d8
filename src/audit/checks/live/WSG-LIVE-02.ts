import { alongsideNote, describeEvent, formatSeconds } from '../../liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIVE-02',
  title: 'Target slow to recover after a probe',
  area: 'LIVE',
  severity: 'low',
  mode: 'safe',
  passive: true,
  references: ['CWE-400', 'docs/audit.md "Liveness"'],
  remediation: 'Keep accepting handshakes while one client floods or holds connections: per-client caps and rate limits that refuse the excess (close 1008/1013, HTTP 429/503) rather than saturating the process.',
  description: 'Reads what the liveness watch saw: after a check, the target did not complete a fresh baseline handshake but answered again within the back-off window (--liveness-window, 12 s). Finding (low, likely): the check and input that preceded it and how long it went unanswered. Busy, not crashed: a target that stays silent through the window is WSG-LIVE-01.',
};

export async function run(ctx: CheckContext): Promise<void> {
  for (const e of ctx.livenessEvents()) {
    if (e.outcome !== 'recovered' || e.answeredAt === undefined) continue;
    ctx.report({ confidence: 'likely', evidence: `${describeEvent(e)} the target did not complete a baseline handshake (${e.detail}); it answered again ${formatSeconds(e.answeredAt - e.since)} later, after ${e.probes} probe${e.probes === 1 ? '' : 's'}. Slow to recover, not a crash.${alongsideNote(e)}` });
  }
}
