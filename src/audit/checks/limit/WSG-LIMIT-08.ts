import { formatBytes, openRaw } from './raw-probe.js';
import { limitOptions } from '../../options.js';
import { Opcode } from '../../raw/frame-encoder.js';
import { reportIfDown } from './liveness.js';
import { ByteLimitError } from '../../bounds.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-08',
  title: 'No backpressure on slow readers',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'intrusive',
  references: ['OWASP-CS backpressure', 'peers.md (Centrifugo)'],
  remediation: 'Check the per-connection send queue (ws bufferedAmount) before each send and drop or close slow consumers above a cap (wsguard: 1 MiB, close 1008; Centrifugo: 3008).',
  description: 'Sends the stream message (--stream-message, else the canary or first --message) every 500 ms while not reading from the socket for --backpressure-wait (default 30 s, 120 s with --thorough), then reads. Finding: the socket is still open and the server queued more than 1 MiB for it (certain above 8 MiB). Skipped without a message, or when the server produced too little to fill the socket buffers.',
};

const MIB = 1024 * 1024;

export function timeoutMs(o: AuditOptions): number {
  return limitOptions(o).backpressureWaitMs + o.requestTimeoutMs * 2 + 15_000;
}

async function probe(ctx: CheckContext): Promise<void> {
  const { backpressureWaitMs, streamMessage } = limitOptions(ctx.options);
  const msg = streamMessage ?? ctx.options.canary ?? ctx.options.messages[0];
  if (!msg) ctx.skip('needs a message that makes the server send (--stream-message, --canary or --message)');
  const s = await openRaw(ctx);
  try {
    let received = 0;
    s.conn.socket.on('data', (d: Buffer) => { received += d.length; });
    s.conn.socket.pause(); // zero receive window once the kernel buffer fills
    const t0 = Date.now();
    // Re-ask every 500 ms (2 msg/s stays under ordinary rate limits, whose close would look like backpressure).
    for (let i = 0; i < 240 && Date.now() - t0 < backpressureWaitMs && !s.conn.closed && !ctx.signal.aborted; i++) {
      s.conn.sendFrame({ opcode: Opcode.TEXT, payload: msg });
      await ctx.sleep(Math.min(500, backpressureWaitMs - (Date.now() - t0)));
    }
    if (!s.conn.closed && Date.now() - t0 < backpressureWaitMs) await ctx.sleep(backpressureWaitMs - (Date.now() - t0));
    const before = received;
    s.conn.socket.resume();
    // Read what was queued for us (bounded in time), watching for a close.
    const readUntil = Date.now() + ctx.options.requestTimeoutMs;
    while (Date.now() < readUntil && !s.conn.closed && !s.closeFrame() && received - before < 64 * MIB) await ctx.sleep(50);
    const queued = received - before;
    // Slow consumer dropped by the server; a drop by the auditor's own byte limit means it kept sending.
    if ((s.conn.closed || s.closeFrame()) && !(s.conn.error instanceof ByteLimitError)) return;
    if (queued < MIB) ctx.skip(`the server sent only ${formatBytes(queued)} after a ${backpressureWaitMs} ms stall: not enough to test its send queue (give --stream-message)`);
    ctx.report({
      confidence: queued >= 8 * MIB ? 'certain' : 'tentative',
      evidence: `After ${backpressureWaitMs} ms without reading, the socket was still open and ${formatBytes(queued)} arrived once reading resumed (queued for a stalled reader).`,
    });
  } finally {
    s.conn.destroy();
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'stalling a reader');
}
