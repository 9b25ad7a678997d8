/**
 * Socket.IO packets inside Engine.IO v4 messages, for the auditor's ordinary connections. The
 * operator writes events the way a Socket.IO client emits them, as a JSON array
 * (`["chat","hi"]` is `socket.emit("chat", "hi")`); on the wire that is an Engine.IO message
 * (`4`) holding a Socket.IO EVENT (`2`), namespace and ack id: `42/nsp,7["chat","hi"]`. Replies
 * stay on record as they came (the operator's --canary-expect may match `431[…`); comparisons
 * (is it an echo, the same answer as before) read EVENT `42…` and ACK `43…` as their arguments
 * array, the form the operator writes, whatever namespace and ack id they carried.
 * Encoding and decoding are socket.io-parser's (the reference implementation's own codec).
 */
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';

/** Engine.IO v4 packet type of a message (what carries a Socket.IO packet). */
const EIO_MESSAGE = '4';

const encoder = new Encoder();

function encode(packet: Packet): string {
  // Non-binary packets encode to exactly one string.
  return EIO_MESSAGE + String(encoder.encode(packet)[0]);
}

/** CONNECT to `nsp`, with the auth payload every Socket.IO client sends (`io(url, { auth })`). */
export function connectPacket(nsp: string, auth?: Record<string, unknown>): string {
  return encode({ type: PacketType.CONNECT, nsp, ...(auth ? { data: auth } : {}) });
}

/** `["event", ...args]` as an EVENT packet, or null when the text is not such an array. */
export function eventPacket(text: string, nsp: string, ackId: number): string | null {
  if (!text.startsWith('[')) return null;
  let args: unknown;
  try { args = JSON.parse(text); } catch { return null; }
  if (!Array.isArray(args) || typeof args[0] !== 'string') return null;
  // Always with an ack id: a handler written `(msg, cb) => cb(…)` throws on an event sent without
  // one, and the reply then arrives as an ACK the checks can read.
  return encode({ type: PacketType.EVENT, nsp, data: args, id: ackId });
}

/** A decoded Socket.IO packet of an Engine.IO message, or null (another Engine.IO packet, or malformed). */
export function decodePacket(text: string): Packet | null {
  if (!text.startsWith(EIO_MESSAGE) || text.length < 2) return null;
  const decoder = new Decoder();
  let out: Packet | null = null;
  decoder.on('decoded', (p: Packet) => { out = p; });
  try {
    decoder.add(text.slice(1));
  } catch {
    return null;
  } finally {
    decoder.destroy();
  }
  return out;
}

/** The arguments of an ACK packet (`431["hi"]` → `["hi"]`), or null for anything else. */
export function ackArgs(text: string): unknown[] | null {
  if (!text.startsWith('43')) return null;
  const p = decodePacket(text);
  return p && p.type === PacketType.ACK && Array.isArray(p.data) ? (p.data as unknown[]) : null;
}

/**
 * An EVENT or ACK as its JSON arguments array (`["chat","<p>hi</p>"]`, `[{"user":"alice"}]`),
 * whatever namespace and ack id it carried; anything else (open, CONNECT answers, ping, binary
 * packets, plain text) as it is.
 */
export function eventArgs(text: string): string {
  if (!/^4[23]/.test(text)) return text;
  const p = decodePacket(text);
  if (!p || (p.type !== PacketType.EVENT && p.type !== PacketType.ACK) || !Array.isArray(p.data)) return text;
  return JSON.stringify(p.data);
}
