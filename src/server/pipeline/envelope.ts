/** Stage 'envelope': `{ type, id?, payload? }`, strict. */
import { Envelope } from '../../protocol/index.js';
import type { PipelineStage } from './types.js';

export function envelopeStage(): PipelineStage {
  return {
    name: 'envelope',
    run: (m) => {
      const parsed = Envelope.safeParse(m.value);
      if (!parsed.success) return { error: 'invalid_message', violation: 'invalid_envelope' };
      m.envelope = parsed.data;
      return undefined;
    },
  };
}
