/**
 * Stage 'envelope': `{ type, id?, payload? }`, strict. A hand check of the three fields with the
 * same rules as the zod `Envelope` (src/protocol/messages.ts), which costs several times more per
 * message; test/server covers that both agree.
 */
import type { Envelope } from '../../protocol/index.js';
import type { PipelineStage } from './types.js';

const TYPE = /^[a-z][a-z0-9_.]*$/;
const ID = /^[A-Za-z0-9_.:-]+$/;

/** The envelope when `value` is a valid one, else undefined. */
export function checkEnvelope(value: unknown): Envelope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'type' && key !== 'id' && key !== 'payload') return undefined;
  const { type, id, payload } = o;
  if (typeof type !== 'string' || type.length < 1 || type.length > 32 || !TYPE.test(type)) return undefined;
  if (id !== undefined && (typeof id !== 'string' || id.length < 1 || id.length > 64 || !ID.test(id))) return undefined;
  if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) return undefined;
  const envelope: Envelope = { type };
  if (id !== undefined) envelope.id = id;
  if (payload !== undefined) envelope.payload = payload as Record<string, unknown>;
  return envelope;
}

export function envelopeStage(): PipelineStage {
  return {
    name: 'envelope',
    run: (m) => {
      const envelope = checkEnvelope(m.value);
      if (!envelope) return { error: 'invalid_message', violation: 'invalid_envelope' };
      m.envelope = envelope;
      return undefined;
    },
  };
}
