import { reportIfDown } from './liveness.js';
import { openRaw, pingVerdict, writeMessage, describe, formatBytes, messageEnvelope, type Verdict } from './raw-probe.js';
import { limitOptions } from '../../options.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-01',
  title: 'No or very high message size cap',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'safe',
  references: ['OWASP-CS (maxPayload 64 KB)', 'RFC6455 §10.4', 'CWE-1385', 'STEWS-F 600 series', 'S10 (ws CVE-2016-10542)'],
  remediation: 'Cap the reassembled message size at what the application needs (wsguard default 64 KiB; ws default is 100 MiB: set maxPayload) and close with 1009 above it; apply the cap to fragmented messages too.',
  description: 'Sends text messages of 64 KiB + 1 and 1 MiB + 1 (with --intrusive also 16 MiB + 1 and 100 MiB + 1), one per connection, stopping at the first rejection; then the smallest rejected size (at least 1 MiB + 1) again as 64 KiB fragments. Finding: 1 MiB + 1 or more accepted above the declared cap (--max-message, default 64 KiB; high at ≥ 16 MiB), or a fragmented message of 1 MiB + 1 or more accepted where one smaller frame was refused (cap bypass; a per-frame cap under a message cap of at most 1 MiB is not one). On Socket.IO each message is an event, 42["wsguard","aaa…"] (bare text is an Engine.IO parse error at any size), so the close of maxHttpBufferSize (1009) counts as the cap. A size accepted before the target stalls on a bigger one (no handshake answered) is still reported, with the stall (WSG-LIVE-02 carries it).',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const KIB = 1024;
const MIB = 1024 * KIB;
const SAFE_SIZES = [64 * KIB + 1, MIB + 1];
const INTRUSIVE_SIZES = [16 * MIB + 1, 100 * MIB + 1];

/** Time for the server to swallow `size` bytes on top of the usual reply wait. */
const waitFor = (ctx: CheckContext, size: number) => ctx.options.requestTimeoutMs + Math.ceil(size / (20 * MIB)) * 1000;

async function trySize(ctx: CheckContext, size: number, fragment?: number): Promise<Verdict> {
  const s = await openRaw(ctx);
  try {
    await writeMessage(s, size, fragment, ctx.signal, messageEnvelope(ctx));
    return await pingVerdict(s, waitFor(ctx, size));
  } finally {
    s.conn.destroy();
  }
}

export function timeoutMs(): number {
  return 60_000;
}

async function probe(ctx: CheckContext): Promise<void> {
  const cap = limitOptions(ctx.options).maxMessageBytes;
  const sizes = ctx.options.intrusive ? [...SAFE_SIZES, ...INTRUSIVE_SIZES] : SAFE_SIZES;
  let accepted = 0;
  let rejected: { size: number; verdict: Verdict } | null = null;
  let stalled: { size: number; error: string } | null = null;
  for (const size of sizes) {
    let v: Verdict;
    try {
      v = await trySize(ctx, size);
    } catch (e) {
      // A target that stops answering on a bigger size (gevent-websocket swallowing 100 MiB) does
      // not undo the sizes it already accepted: keep that evidence. The stall is the liveness
      // watch's to report (LIVE-02, naming the last input this check sent).
      if (ctx.signal.aborted || accepted < MIB + 1 || accepted <= cap) throw e;
      stalled = { size, error: (e as Error).message };
      break;
    }
    if (v.kind !== 'accepted') { rejected = { size, verdict: v }; break; }
    accepted = size;
  }
  if (rejected && !(rejected.verdict.kind === 'closed' && rejected.verdict.code === 1009)) {
    // Not a size close: make sure the server takes this kind of message at all.
    let control: Verdict | null = null;
    try {
      control = await trySize(ctx, 16);
    } catch (e) {
      // Silent on the big size, then no handshake at all: the target stalled on it (see above).
      if (ctx.signal.aborted || accepted < MIB + 1 || accepted <= cap) throw e;
      stalled = { size: rejected.size, error: `${describe(rejected.verdict)}, then ${(e as Error).message}` };
      rejected = null;
    }
    if (control && control.kind !== 'accepted') ctx.skip(`even a 16-byte text message is refused (${describe(control)}): cannot tell a size cap from content rules`);
  }
  const tier = ctx.options.intrusive ? '' : ' (safe tier stops at 1 MiB + 1; --intrusive tries 16 and 100 MiB)';
  if (accepted >= MIB + 1 && accepted > cap) {
    const refused = rejected ? `; ${formatBytes(rejected.size)} was ${describe(rejected.verdict)}` : stalled ? `; then the target stopped answering on ${formatBytes(stalled.size)} (${stalled.error}; see WSG-LIVE-01/02)` : '';
    ctx.report({
      severity: accepted >= 16 * MIB ? 'high' : 'medium',
      confidence: 'certain',
      evidence: `A ${formatBytes(accepted)} byte text message was accepted on one connection (declared cap ${formatBytes(cap)})${refused}${tier}.`,
    });
  }
  if (stalled || !rejected || rejected.verdict.kind !== 'closed') return;
  // A per-frame cap below the message cap is a design, not a bypass (WebSocket-Node: 64 KiB
  // frames, 1 MiB messages): the fragmented form must get past the size this check calls a
  // finding for one frame (1 MiB + 1) before it shows the reassembled message is unbounded.
  const fragSize = Math.max(rejected.size, MIB + 1);
  const frag = await trySize(ctx, fragSize, 64 * KIB);
  if (frag.kind === 'accepted' && fragSize > cap) {
    ctx.report({
      title: 'Message size cap bypassed by fragmentation',
      severity: fragSize >= 16 * MIB ? 'high' : 'medium',
      confidence: 'certain',
      evidence: `${formatBytes(rejected.size)} bytes in one frame was ${describe(rejected.verdict)}, but a ${formatBytes(fragSize)} byte message as 64 KiB fragments was accepted: the cap applies per frame, not to the reassembled message.`,
    });
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  if (ctx.options.intrusive) await reportIfDown(ctx, 'the 16 and 100 MiB messages');
}
