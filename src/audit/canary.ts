/** Judging whether a reply is the operator's protected data (AUTH-*, SESSION-*). */
import { isDeepStrictEqual } from 'node:util';
import { eventArgs } from './socketio.js';

const ERROR_LIKE = /"(?:type|event|status)"\s*:\s*"(?:error|denied|forbidden|unauthori[sz]ed)|unauthori[sz]ed|unauthenticated|forbidden|access denied|not allowed|login required|invalid token|revoked|expired/i;

export function looksLikeError(message: string): boolean {
  return ERROR_LIKE.test(message);
}

/** Engine.IO/Socket.IO control packets carry no application data. */
export function isControlPacket(message: string, socketIo: boolean): boolean {
  return socketIo && /^(?:0\{|40|41|2$|3$|6$)/.test(message);
}

/**
 * The reply is what we sent coming back (an echo server, or a reflected request): it carries
 * nothing the server holds, whatever a pattern says. Equal text, or equal JSON; a Socket.IO
 * event or ack compared by its arguments (`["chat","hi"]` sent comes back as `42["chat","hi"]`).
 */
export function isEchoOf(reply: string, sent: string | undefined): boolean {
  if (sent === undefined) return false;
  if (reply.trim() === sent.trim()) return true;
  try {
    return isDeepStrictEqual(JSON.parse(eventArgs(reply)), JSON.parse(eventArgs(sent)));
  } catch {
    return false;
  }
}

export interface CanaryJudge {
  /** null when the message is not protected data; otherwise how sure we are. */
  judge(message: string): 'certain' | 'tentative' | null;
}

/** `canary`: the message sent; its echo is never protected data (an echo server "answers" it to anyone). */
export function canaryJudge(expect: string | undefined, baselineReplies: string[], socketIo: boolean, canary?: string): CanaryJudge {
  const re = expect ? new RegExp(expect) : null;
  // Socket.IO acks carry the ack id of their own connection: the same answer on another socket
  // differs only there.
  const same = (m: string) => (socketIo ? eventArgs(m) : m);
  const baseline = new Set(baselineReplies.filter((m) => !isEchoOf(m, canary)).map(same));
  return {
    judge(message) {
      if (isControlPacket(message, socketIo) || isEchoOf(message, canary)) return null;
      if (re) return re.test(message) ? 'certain' : null;
      if (looksLikeError(message)) return null;
      if (baseline.has(same(message))) return 'certain';
      return baseline.size > 0 ? 'tentative' : null;
    },
  };
}

/** "Is this application data?" for checks that watch one socket: the canary regex, else any non-error, non-control message; never the canary's own echo. */
export function isProtectedData(options: { canary?: string; canaryExpect?: string; protocol: string }): (m: string) => boolean {
  const re = options.canaryExpect ? new RegExp(options.canaryExpect) : null;
  const socketIo = options.protocol === 'socket.io';
  return (m) => !isEchoOf(m, options.canary) && (re ? re.test(m) : !isControlPacket(m, socketIo) && !looksLikeError(m));
}
