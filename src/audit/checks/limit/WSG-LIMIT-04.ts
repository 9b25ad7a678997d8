import { deflateMessage, Opcode } from '../../raw/frame-encoder.js';
import { describe, formatBytes, openRaw, pingVerdict } from './raw-probe.js';
import { limitOptions } from '../../options.js';
import { reportIfDown } from './liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-04',
  title: 'Decompression bomb',
  area: 'LIMIT',
  severity: 'high',
  mode: 'intrusive',
  references: ['RFC7692', 'S12 (python-websockets CVE-2018-1000518)', 'S10 (ws passes maxPayload into PerMessageDeflate)'],
  remediation: 'Keep permessage-deflate off unless needed; when on, apply the message cap to the inflated size (close 1009) and limit concurrent inflation (ws concurrencyLimit).',
  description: 'Offers permessage-deflate; if the server accepts it, sends one compressed text frame (RSV1) that inflates to 64× the declared cap (--max-message, default 64 KiB → 4 MiB of "a", at most 64 MiB), then a ping. Finding: the message is accepted (ping answered), or no answer (a target that stops answering handshakes is reported by WSG-LIVE-01/02). Skipped when deflate is not negotiated.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const inflated = Math.min(64 * limitOptions(ctx.options).maxMessageBytes, 64 * 1024 * 1024);
  const s = await openRaw(ctx, { headers: [['Sec-WebSocket-Extensions', 'permessage-deflate']] });
  const ext = (s.headers['sec-websocket-extensions'] ?? []).join(', ');
  try {
    if (!/permessage-deflate/i.test(ext)) ctx.skip('not applicable: the server did not negotiate permessage-deflate (nothing is inflated)');
    const payload = deflateMessage(Buffer.alloc(inflated, 'a'));
    s.conn.sendFrame({ opcode: Opcode.TEXT, rsv1: true, payload });
    const v = await pingVerdict(s, ctx.options.requestTimeoutMs);
    if (v.kind !== 'closed') {
      ctx.report({
        confidence: v.kind === 'accepted' ? 'certain' : 'tentative',
        evidence: `A ${formatBytes(payload.length)} compressed frame inflating to ${formatBytes(inflated)} was ${describe(v)}: the cap is not applied after inflation.`,
      });
    }
  } finally {
    s.conn.destroy();
  }
  await reportIfDown(ctx, `one ${formatBytes(inflated)} decompression bomb`);
}
