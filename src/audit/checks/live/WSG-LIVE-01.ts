import { alongsideNote, describeEvent, formatSeconds, probeAlive } from '../../liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIVE-01',
  title: 'Target stopped answering after a probe (crash)',
  area: 'LIVE',
  severity: 'high',
  mode: 'safe',
  passive: true,
  references: ['CWE-400', 'CWE-248', 'docs/audit.md "Liveness"'],
  remediation: 'Find what the named input does to the server (its logs at that time): an uncaught exception, an out-of-memory kill or a blocked event loop. Handle the error per connection, bound what one message may cost, and run the service under a supervisor that restarts it.',
  description: 'Reads what the liveness watch saw: after every check the runner asks for a fresh baseline handshake; when none answers it keeps asking with a bounded back-off over --liveness-window (12 s). Finding (high, certain) when no probe in that window gets an answer (no 101 and no HTTP status other than a proxy\'s 502/504), naming the check and the input that preceded the silence (noted before it was sent: the earliest input the target never answered, a frame with its opcode, length and what breaks RFC 6455, a handshake with the headers that differ from the baseline; never the auditor\'s own liveness pings or cleanup closes; the check itself is then reported not judged) (the checks that can take a target down run alone, one at a time, so this is exactly one check; a check from the concurrent pool is named with the checks that ran alongside it), or the baseline handshake when the target answered it and never again, how long the target stayed down and whether it answered again before the audit ended. A target that comes back within the window is WSG-LIVE-02. Runs only when selected (it is by default) and when the baseline handshake worked.',
};

export async function run(ctx: CheckContext): Promise<void> {
  const crashes = ctx.livenessEvents().filter((e) => e.outcome === 'down');
  if (!crashes.length) return;
  for (const e of crashes) {
    // Still down? One last look, so the report says how long the silence lasted.
    if (e.answeredAt === undefined) {
      const p = await probeAlive(ctx, Math.min(5000, ctx.options.requestTimeoutMs));
      if (p.alive) e.answeredAt = Date.now();
      else { e.lastFailure = Date.now(); e.detail = p.detail; }
    }
    const window = `no answer to ${e.failures} baseline handshakes over ${formatSeconds(e.lastFailure - e.since)} (last: ${e.detail})`;
    const end = e.answeredAt !== undefined
      ? `It answered again ${formatSeconds(e.answeredAt - e.since)} after it went silent.`
      : `It was still down at the end of the audit, at least ${formatSeconds(e.lastFailure - e.since)} after it went silent; the checks after it were not judged (reported skipped).`;
    ctx.report({ confidence: 'certain', evidence: `${describeEvent(e)} the target stopped answering: ${window}. ${end}${alongsideNote(e)}` });
  }
}
