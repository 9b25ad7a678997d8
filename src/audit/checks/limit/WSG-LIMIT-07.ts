import { RawConnection } from '../../raw/raw-connection.js';
import { requireBaseline } from '../../check-helpers.js';
import { limitOptions, OBSERVATION_WINDOWS } from '../../options.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-07',
  title: 'Slow handshake (Slowloris)',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'safe',
  references: ['OWASP-CS idle timeouts', 'RFC6455 §10.4 (limits)'],
  remediation: 'Bound the time to complete a handshake (Node server.headersTimeout ≈ 10 s, requestTimeout ≈ 15 s, or a proxy timeout) and drop connections that send nothing.',
  description: 'Two TCP/TLS connections: one sends the upgrade request one header line every 10 s (--slow-interval), one sends nothing. Finding: either is still open after --slow-wait (default 22 s, then low and tentative because many servers time headers out at 60 s; 120 s with --thorough).',
};

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;
/** Once its two connections are open it only trickles header lines: it watches beside the isolated checks too. */
export const inert = true;

export function timeoutMs(o: AuditOptions): number {
  return limitOptions(o).slowWaitMs + 15_000;
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const { slowHeaderIntervalMs, slowWaitMs } = limitOptions(ctx.options);
  const ep = ctx.endpoint;
  const open = () => RawConnection.open({ host: ep.host, port: ep.port, tls: ep.tls, timeoutMs: ctx.options.requestTimeoutMs, signal: ctx.signal });
  const [slow, silent] = await Promise.all([open(), open()]);
  try {
    const t0 = Date.now();
    slow.write(`GET ${ep.path} HTTP/1.1\r\nHost: ${ep.hostHeader}\r\n`);
    let next = t0 + slowHeaderIntervalMs;
    let n = 0;
    while (Date.now() - t0 < slowWaitMs && !(slow.closed && silent.closed) && !ctx.signal.aborted) {
      await ctx.sleep(Math.max(1, Math.min(250, slowWaitMs - (Date.now() - t0))));
      if (Date.now() >= next) { slow.write(`X-Wsguard-Slow-${n++}: 1\r\n`); next += slowHeaderIntervalMs; }
    }
    const left = [slow.closed ? '' : `one sending a header line every ${slowHeaderIntervalMs} ms`, silent.closed ? '' : 'one that sent nothing'].filter(Boolean);
    if (!left.length) return;
    // The default window (22 s) is shorter than many servers' header timeout (Node: 60 s), so it
    // only says what it saw; --thorough or --slow-wait gives the verdict.
    const short = !ctx.options.thorough && slowWaitMs === OBSERVATION_WINDOWS.short.slowWaitMs;
    ctx.report({
      confidence: short ? 'tentative' : 'certain',
      ...(short ? { severity: 'low' as const } : {}),
      evidence: `Incomplete handshakes still open after ${slowWaitMs} ms: ${left.join('; ')}.${short ? ' Short default window: run with --thorough (120 s) to see whether the server closes them later.' : ''}`,
    });
  } finally {
    slow.destroy();
    silent.destroy();
  }
}
