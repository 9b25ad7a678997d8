import { deflateMessage, Opcode } from '../../raw/frame-encoder.js';
import { describe, formatBytes, openRaw, pingVerdict, writeMessage, type Verdict } from './raw-probe.js';
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
  description: 'Offers permessage-deflate; if the server accepts it, sends one compressed text frame (RSV1) that inflates to 64× the declared cap (--max-message, default 64 KiB → 4 MiB of "a", at most 64 MiB), then a ping. When it is accepted, a plain message of half that size, then (if that passes too) a bomb inflating to 64 MiB. Finding: the bomb accepted where the plain half-size message is refused (the cap counts wire bytes), or the 64 MiB bomb accepted (no cap after inflation); tentative when the bomb gets no answer (a target that stops answering handshakes is reported by WSG-LIVE-01/02). A bomb of the server\'s own after-inflation cap, accepted, is no finding (its size is WSG-LIMIT-01\'s business). Skipped when deflate is not negotiated.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

const MIB = 1024 * 1024;
/** The biggest bomb: 64 MiB of "a" deflates to about 64 KiB (kept: the same bytes every audit). */
const MAX_INFLATED = 64 * MIB;
const bombs = new Map<number, Buffer>();
function bomb(inflated: number): Buffer {
  let b = bombs.get(inflated);
  if (!b) bombs.set(inflated, (b = deflateMessage(Buffer.alloc(inflated, 'a'))));
  return b;
}

/** Sends one compressed text frame inflating to `inflated` bytes on a deflate connection; null when deflate is not negotiated. */
async function sendBomb(ctx: CheckContext, inflated: number): Promise<{ verdict: Verdict; wire: number } | null> {
  const s = await openRaw(ctx, { headers: [['Sec-WebSocket-Extensions', 'permessage-deflate']] });
  try {
    const ext = (s.headers['sec-websocket-extensions'] ?? []).join(', ');
    if (!/permessage-deflate/i.test(ext)) return null;
    const payload = bomb(inflated);
    s.conn.sendFrame({ opcode: Opcode.TEXT, rsv1: true, payload });
    return { verdict: await pingVerdict(s, ctx.options.requestTimeoutMs + Math.ceil(inflated / (20 * MIB)) * 1000), wire: payload.length };
  } finally {
    s.conn.destroy();
  }
}

/** The same kind of message uncompressed, on a plain connection. */
async function sendPlain(ctx: CheckContext, size: number): Promise<Verdict> {
  const s = await openRaw(ctx);
  try {
    await writeMessage(s, size, undefined, ctx.signal);
    return await pingVerdict(s, ctx.options.requestTimeoutMs + Math.ceil(size / (20 * MIB)) * 1000);
  } finally {
    s.conn.destroy();
  }
}

/**
 * A bomb accepted is not yet a finding: a server whose one cap applies after inflation takes a
 * bomb of its cap's size (aiohttp: max_msg_size 4 MiB, inflated or not). The weakness is a cap
 * on the wire bytes only, shown by a plain message of half the inflated size refused, or no cap
 * in sight after inflation (64 MiB accepted from ~64 KiB).
 */
async function probe(ctx: CheckContext): Promise<void> {
  const inflated = Math.min(64 * limitOptions(ctx.options).maxMessageBytes, MAX_INFLATED);
  const first = await sendBomb(ctx, inflated);
  if (!first) ctx.skip('not applicable: the server did not negotiate permessage-deflate (nothing is inflated)');
  const sent = `A ${formatBytes(first.wire)} compressed frame inflating to ${formatBytes(inflated)} was ${describe(first.verdict)}`;
  if (first.verdict.kind === 'closed') return;
  if (first.verdict.kind === 'silent') {
    ctx.report({ confidence: 'tentative', evidence: `${sent}: the cap may not be applied after inflation.` });
    return;
  }
  const half = Math.ceil(inflated / 2);
  const plain = await sendPlain(ctx, half);
  if (plain.kind === 'closed') {
    ctx.report({ confidence: 'certain', evidence: `${sent}, while a plain ${formatBytes(half)} message was ${describe(plain)}: the cap is not applied after inflation.` });
    return;
  }
  const big = inflated < MAX_INFLATED ? await sendBomb(ctx, MAX_INFLATED) : first;
  if (big?.verdict.kind === 'accepted') {
    const bigSent = big === first ? sent : `${sent}, and one of ${formatBytes(big.wire)} inflating to ${formatBytes(MAX_INFLATED)} was ${describe(big.verdict)}`;
    ctx.report({ confidence: 'certain', evidence: `${bigSent}: no cap after inflation up to ${formatBytes(MAX_INFLATED)} (about 1 000 : 1).` });
  } else if (big?.verdict.kind === 'silent') {
    ctx.report({ confidence: 'tentative', evidence: `${sent}; one inflating to ${formatBytes(MAX_INFLATED)} got no answer: the cap may not be applied after inflation.` });
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the decompression bombs');
}
