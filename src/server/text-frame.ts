/**
 * One WebSocket text frame built by ws's own frame builder (`Sender.frame`), so a fan-out can
 * build it once and write the same bytes to every subscriber. ws exports Sender but @types/ws
 * does not declare it, hence the narrow local type.
 */
import * as ws from 'ws';

interface FrameOptions {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
}
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/** FIN + text opcode, unmasked (server to client), as a single Buffer for a single write. */
export function buildTextFrame(payload: Buffer): Buffer {
  return Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }));
}
