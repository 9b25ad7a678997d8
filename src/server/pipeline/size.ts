/** Stage 'size': ws already enforces maxPayload on the wire (1009); this is the same rule, kept in the pipeline in case of a misconfigured ws. */
import { CloseCode, CloseReason } from '../../protocol/index.js';
import type { InboundMessage, Stage } from './types.js';

export function sizeStage(maxPayload: number): Stage<InboundMessage> {
  return {
    name: 'size',
    ahead: 'check',
    run: (m) => (m.data.byteLength > maxPayload ? { close: CloseCode.MESSAGE_TOO_BIG, reason: CloseReason.TOO_BIG, violation: 'too_big' } : undefined),
  };
}
