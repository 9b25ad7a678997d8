/**
 * The frame decoder the client needs, without zod (src/protocol/messages.ts imports zod, which
 * would bloat the browser bundle; only its types are imported here).
 */
import type { FileEvent, ServerMessage } from '../protocol/messages.js';

export { SUBPROTOCOL, BEARER_SUBPROTOCOL_PREFIX } from '../protocol/constants.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function isFileEvent(p: Record<string, unknown>): boolean {
  return (
    typeof p.channel === 'string' &&
    isSeq(p.seq) &&
    (p.kind === 'file_upload' || p.kind === 'file_delete') &&
    typeof p.path === 'string' &&
    typeof p.by === 'string' &&
    typeof p.at === 'string' &&
    (p.epoch === undefined || typeof p.epoch === 'string')
  );
}

/**
 * Decodes one server frame; null when it is not a well-formed protocol v1 server message.
 * The shape checks are the minimum the client relies on (the server is trusted to send valid events,
 * but a proxy or a wrong endpoint must not make the client throw or deliver garbage).
 */
export function decodeServerFrame(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(v) || typeof v.type !== 'string') return null;
  const payload = isRecord(v.payload) ? v.payload : {};
  const id = typeof v.id === 'string' ? v.id : undefined;
  const base = id === undefined ? {} : { id };
  switch (v.type) {
    case 'ack':
      return { type: 'ack', ...base, payload: isSeq(payload.seq) ? { seq: payload.seq } : {} };
    case 'error':
      if (typeof payload.code !== 'string') return null;
      return {
        type: 'error',
        ...base,
        payload: {
          code: payload.code,
          message: typeof payload.message === 'string' ? payload.message : '',
          ...(typeof payload.field === 'string' && payload.field.length <= 256 ? { field: payload.field } : {}),
        },
      };
    case 'subscribed':
      if (typeof payload.channel !== 'string' || !isSeq(payload.seq)) return null;
      return { type: 'subscribed', ...base, payload: { channel: payload.channel, seq: payload.seq, ...(typeof payload.epoch === 'string' ? { epoch: payload.epoch } : {}) } };
    case 'unsubscribed':
      if (typeof payload.channel !== 'string') return null;
      return { type: 'unsubscribed', ...base, payload: payload.reason === 'forbidden' ? { channel: payload.channel, reason: 'forbidden' } : { channel: payload.channel } };
    case 'event':
      return isFileEvent(payload) ? { type: 'event', payload: payload as unknown as FileEvent } : null;
    case 'pong':
      return { type: 'pong', ...base, payload: {} };
    case 'session.expiring':
      return { type: 'session.expiring', payload: { exp: typeof payload.exp === 'number' ? payload.exp : 0 } };
    default:
      return null;
  }
}
