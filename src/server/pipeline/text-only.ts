/** Stage 'text-only': binary frames close the socket with 1003. */
import { CloseCode, CloseReason } from '../../protocol/index.js';
import type { InboundMessage, Stage } from './types.js';

export function textOnlyStage(): Stage<InboundMessage> {
  return {
    name: 'text-only',
    ahead: 'check',
    run: (m) => (m.isBinary ? { close: CloseCode.UNSUPPORTED_DATA, reason: CloseReason.BINARY, violation: 'binary' } : undefined),
  };
}
