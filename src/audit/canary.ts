/** Judging whether a reply is the operator's protected data (AUTH-*, SESSION-*). */
const ERROR_LIKE = /"(?:type|event|status)"\s*:\s*"(?:error|denied|forbidden|unauthori[sz]ed)|unauthori[sz]ed|unauthenticated|forbidden|access denied|not allowed|login required|invalid token|revoked|expired/i;

export function looksLikeError(message: string): boolean {
  return ERROR_LIKE.test(message);
}

/** Engine.IO/Socket.IO control packets carry no application data. */
export function isControlPacket(message: string, socketIo: boolean): boolean {
  return socketIo && /^(?:0\{|40|41|2$|3$|6$)/.test(message);
}

export interface CanaryJudge {
  /** null when the message is not protected data; otherwise how sure we are. */
  judge(message: string): 'certain' | 'tentative' | null;
}

export function canaryJudge(expect: string | undefined, baselineReplies: string[], socketIo: boolean): CanaryJudge {
  const re = expect ? new RegExp(expect) : null;
  const baseline = new Set(baselineReplies);
  return {
    judge(message) {
      if (isControlPacket(message, socketIo)) return null;
      if (re) return re.test(message) ? 'certain' : null;
      if (looksLikeError(message)) return null;
      if (baseline.has(message)) return 'certain';
      return baselineReplies.length > 0 ? 'tentative' : null;
    },
  };
}

/** "Is this application data?" for checks that watch one socket: the canary regex, else any non-error, non-control message. */
export function isProtectedData(options: { canaryExpect?: string; protocol: string }): (m: string) => boolean {
  const re = options.canaryExpect ? new RegExp(options.canaryExpect) : null;
  const socketIo = options.protocol === 'socket.io';
  return (m) => (re ? re.test(m) : !isControlPacket(m, socketIo) && !looksLikeError(m));
}
