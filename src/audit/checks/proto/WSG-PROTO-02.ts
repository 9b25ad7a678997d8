import { requireBaseline } from '../../check-helpers.js';
import { Opcode, type FrameSpec } from '../../raw/frame-encoder.js';
import type { CheckContext, CheckMeta } from '../../types.js';
import { describe, probe, probeWaitMs, rejected } from './frames.js';
import { reportIfDown } from '../limit/liveness.js';
import { identify } from '../finger/WSG-FINGER-02.js';

const REMEDIATION = 'Fail the connection with close 1002 on RSV bits no extension negotiated, on reserved opcodes and on non-minimal length encodings, and keep the WebSocket library current.';
/** Only where Engine.IO runs: the advisory is about its frame handling, nothing else's. */
const ENGINE_IO_REMEDIATION = `${REMEDIATION} Engine.IO: upgrade past 6.1.0 (CVE-2022-21676, a crash on an RSV2/RSV3 frame).`;

export const meta: CheckMeta = {
  id: 'WSG-PROTO-02',
  title: 'Reserved bits / opcodes / non-minimal lengths accepted',
  area: 'PROTO',
  severity: 'low',
  mode: 'intrusive',
  references: ['RFC6455 §5.2', 'RFC6455 §5.8', 'S11 (CVE-2022-21676)', 'STEWS-F 100', 'STEWS-F 200'],
  remediation: `${REMEDIATION} On Engine.IO / Socket.IO targets the finding adds the Engine.IO upgrade (CVE-2022-21676).`,
  description: 'On separate baseline sessions sends a binary frame with RSV1, RSV2, RSV3 set (no extension negotiated), frames with opcodes 0x3 and 0xB, and "hello" with the 16-bit length form; a fresh handshake after each. Finding (low) when a frame is tolerated; a target that stops answering handshakes is reported by WSG-LIVE-01 (high).',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

function probes(ctx: CheckContext): Array<[string, FrameSpec]> {
  // Engine.IO closes on a malformed packet, which would hide the framing verdict: send it a pong packet.
  const text = ctx.options.protocol === 'socket.io' ? '3' : 'hello';
  return [
    ['RSV1 binary frame', { opcode: Opcode.BINARY, payload: 'wsguard', rsv1: true }],
    ['RSV2 binary frame', { opcode: Opcode.BINARY, payload: 'wsguard', rsv2: true }],
    ['RSV3 binary frame', { opcode: Opcode.BINARY, payload: 'wsguard', rsv3: true }],
    ['opcode 0x3', { opcode: 0x3, payload: 'wsguard' }],
    ['opcode 0xB', { opcode: 0xb, payload: 'wsguard' }],
    [`"${text}" with 16-bit length 0x7E 0x${text.length.toString(16).padStart(4, '0')}`, { opcode: Opcode.TEXT, payload: text, lengthForm: '16' }],
  ];
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const lax: string[] = [];
  let silentOnly = true;
  for (const [label, spec] of probes(ctx)) {
    const o = await probe(ctx, [spec]);
    if (!rejected(o)) {
      lax.push(`${label}: ${describe(o, probeWaitMs(ctx))}`);
      if (o.kind === 'alive') silentOnly = false;
    }
    // A vulnerable stack (engine.io 4.0.0–6.1.0 on RSV2/RSV3) dies on one frame: WSG-LIVE-01 reports it.
    if (await reportIfDown(ctx, `the ${label} (${describe(o, probeWaitMs(ctx))})`)) return;
  }
  if (lax.length) ctx.report({ confidence: silentOnly ? 'tentative' : 'certain', evidence: `Tolerated (expected close 1002): ${lax.join('; ')}.`, remediation: isEngineIo(ctx) ? ENGINE_IO_REMEDIATION : REMEDIATION });
}

/** Socket.IO by the operator's word (--protocol, the path), or Engine.IO by its signature in what was recorded. */
function isEngineIo(ctx: CheckContext): boolean {
  return ctx.options.protocol === 'socket.io' || [...identify(ctx.traffic.entries()).keys()].some((s) => s.library.startsWith('Engine.IO'));
}
