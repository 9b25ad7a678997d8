/** Stage 'envelope': `{ type, id?, payload? }`, strict, by the protocol's zod schema. */
import { Envelope, fieldPath } from '../../protocol/index.js';
import type { Enveloped, Parsed, Stage } from './types.js';

/** The envelope when `value` is a valid one, else undefined. */
export function checkEnvelope(value: unknown): Envelope | undefined {
  const r = Envelope.safeParse(value);
  return r.success ? r.data : undefined;
}

export function envelopeStage(): Stage<Parsed, Enveloped> {
  return {
    name: 'envelope',
    ahead: 'check',
    run: (m) => {
      const envelope = checkEnvelope(m.value);
      if (!envelope) {
        const r = Envelope.safeParse(m.value); // only on the failure path: name the field
        const field = r.success ? '' : fieldPath(Envelope, r.error.issues, '');
        return field ? { error: 'invalid_message', violation: 'invalid_envelope', field } : { error: 'invalid_message', violation: 'invalid_envelope' };
      }
      m.envelope = envelope;
      return undefined;
    },
  };
}
