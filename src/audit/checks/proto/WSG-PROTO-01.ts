import { requireBaseline } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';
import { describe, probe, probeWaitMs, rejected } from './frames.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-01',
  title: 'Unmasked client frames accepted',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC6455 §5.1', 'RFC6455 §5.3', 'RFC6455 §10.3', 'SMUGGLE'],
  remediation: 'Fail the connection with close 1002 on any client frame with MASK=0 (RFC 6455 §5.1); use a maintained WebSocket library rather than a hand-rolled parser.',
  description: 'After a baseline handshake, sends the text frame 0x81 0x05 "hello" (MASK=0) and a masked ping. Finding when the server answers the ping or keeps the socket open instead of closing (1002).',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const o = await probe(ctx, [Buffer.from([0x81, 0x05, ...Buffer.from('hello')])]);
  if (rejected(o)) return;
  ctx.report({
    confidence: o.kind === 'alive' ? 'certain' : 'tentative',
    evidence: `Unmasked text frame 81 05 "hello": ${describe(o, probeWaitMs(ctx))} (expected close 1002).`,
  });
}
