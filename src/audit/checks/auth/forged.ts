/**
 * Forged credentials (AUTH-02, AUTH-06): mutations of what the operator gave, and whether the
 * target still serves them. A per-user --canary-expect (`alice@…`) never matches the answer a
 * forged identity gets (`alicf@…`), so an answer shaped like the operator's own (same JSON keys,
 * same Socket.IO event) counts too, unless a client without credentials gets that shape as well.
 */
import { eventArgs } from '../../socketio.js';
import { randomInt } from 'node:crypto';
import { isControlPacket, isEchoOf, looksLikeError } from '../../canary.js';
import { anonymousProbe, credentialAccepted, jwtPart } from '../../check-helpers.js';
import type { AuthProbe, CheckContext, Confidence, Credentials, HandshakeVariant } from '../../types.js';

/** One thing that may carry the credential, and how to put a value of it back into the credentials. */
export interface CredentialItem {
  /** e.g. `token (header)`, `cookie session`, `header X-Api-Key`. */
  label: string;
  value: string;
  with(value: string): Credentials;
  without(): Credentials;
}

/** Headers that carry a credential (not Accept-Language and the like). */
const CREDENTIAL_HEADER = /^(?:authorization|proxy-authorization|cookie)$|token|api[-_]?key|auth|session|secret|ticket|key$/i;
/** Bounds: a long cookie jar must not turn into dozens of probes. */
const MAX_COOKIES = 4;
const MAX_HEADERS = 4;

export function isJwt(token: string): boolean {
  return token.split('.').length === 3 && jwtPart(token, 0) !== null;
}

export function splitCookie(cookie: string): Array<[string, string]> {
  return cookie.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? ['', p] : [p.slice(0, eq), p.slice(eq + 1)];
  });
}

const joinCookie = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => (k ? `${k}=${v}` : v)).join('; ');

/** The credentials the operator gave that can be forged: an opaque token, each cookie, each credential header. */
export function credentialItems(c: Credentials, opts: { opaqueTokenOnly: boolean; socketIo?: boolean }): CredentialItem[] {
  const out: CredentialItem[] = [];
  if (c.token && !(opts.opaqueTokenOnly && isJwt(c.token))) {
    out.push({ label: `token (sent ${tokenPlacement(c, opts.socketIo === true)})`, value: c.token, with: (v) => ({ ...c, token: v }), without: () => ({ ...c, token: undefined }) });
  }
  if (c.cookie) {
    const pairs = splitCookie(c.cookie);
    pairs.slice(0, MAX_COOKIES).forEach(([name, value], i) => {
      const put = (v: string | null) => joinCookie(pairs.flatMap((p, j): Array<[string, string]> => (j !== i ? [p] : v === null ? [] : [[name, v]])));
      out.push({ label: `cookie ${name || '(unnamed)'}`, value, with: (v) => ({ ...c, cookie: put(v) }), without: () => ({ ...c, cookie: put(null) || undefined }) });
    });
  }
  credentialHeaders(c).forEach((name) => {
    const value = c.headers[name] ?? '';
    const rest = Object.fromEntries(Object.entries(c.headers).filter(([k]) => k !== name));
    out.push({ label: `header ${name}`, value, with: (v) => ({ ...c, headers: { ...rest, [name]: v } }), without: () => ({ ...c, headers: rest }) });
  });
  return out;
}

/** Where the token travels, in words: on Socket.IO "message" is the CONNECT auth payload. */
export function tokenPlacement(c: Credentials, socketIo: boolean): string {
  if (!socketIo) return `as ${c.tokenIn}`;
  if (c.tokenIn === 'message') return 'in the Socket.IO CONNECT auth';
  return c.tokenIn === 'header' ? 'as header and in the Socket.IO CONNECT auth' : `as ${c.tokenIn}`;
}

/** Names of the operator's --header entries that carry a credential (Authorization, X-Api-Key…). */
export function credentialHeaders(c: Credentials): string[] {
  return Object.keys(c.headers).filter((k) => CREDENTIAL_HEADER.test(k)).slice(0, MAX_HEADERS);
}

/** The header value with its credential replaced, its scheme (`Bearer `) kept. */
export function replaceCredential(v: string, by: string): string {
  return schemeSplit(v)[0] + by;
}

/** `Bearer abc` → [`Bearer `, `abc`]: the scheme is kept, the credential after it forged. */
function schemeSplit(v: string): [string, string] {
  const m = /^([A-Za-z][\w-]*\s+)(\S.*)$/.exec(v);
  return m && m[1] && m[2] ? [m[1], m[2]] : ['', v];
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

/**
 * The last character replaced by another of its class, far from it (rot13 for letters, +5 for
 * digits): `tok-alice` → `tok-alicr`. Far, so that a base64 decoder cannot map both to the same bytes.
 */
export function changeLastChar(v: string): string {
  const [scheme, cred] = schemeSplit(v);
  const ch = cred.slice(-1);
  let n = 'x';
  for (const set of [LOWER, UPPER]) {
    const i = set.indexOf(ch);
    if (i >= 0) n = set[(i + 13) % 26] ?? 'x';
  }
  const d = DIGITS.indexOf(ch);
  if (d >= 0) n = DIGITS[(d + 5) % 10] ?? '0';
  if (n === ch) n = 'y';
  return scheme + cred.slice(0, -1) + n;
}

/** One character changed: in the middle of a JWT's signature (its last one may be base64 padding bits), else the last. */
export function tamper(v: string): { how: string; value: string } {
  const [scheme, cred] = schemeSplit(v);
  if (!isJwt(cred)) return { how: 'last character changed', value: changeLastChar(v) };
  const dot = cred.lastIndexOf('.');
  const i = dot + 1 + Math.floor((cred.length - dot - 1) / 2);
  const c = cred[i] ?? 'A';
  return { how: 'one signature character changed', value: scheme + cred.slice(0, i) + (c === 'A' ? 'B' : 'A') + cred.slice(i + 1) };
}

/** A made-up value of the same shape: every letter and digit replaced at random, punctuation kept. */
export function madeUp(v: string): string {
  const [scheme, cred] = schemeSplit(v);
  const pick = (set: string) => set[randomInt(set.length)] ?? 'x';
  const out = [...cred].map((ch) => (LOWER.includes(ch) ? pick(LOWER) : UPPER.includes(ch) ? pick(UPPER) : DIGITS.includes(ch) ? pick(DIGITS) : ch)).join('');
  // A one-in-a-million draw equal to the real value would prove nothing.
  return scheme + (out === cred ? `${out}x` : out);
}

/** Evidence shows a credential as its head and tail only. */
export function maskValue(v: string): string {
  const [scheme, cred] = schemeSplit(v);
  return cred.length <= 6 ? `${scheme}${cred.slice(0, 1)}…` : `${scheme}${cred.slice(0, 3)}…${cred.slice(-2)}`;
}

/** Keys (and a Socket.IO event name) of a JSON reply; null for text or a trivial object. */
export function shapeOf(message: string): string | null {
  let v: unknown;
  try { v = JSON.parse(eventArgs(message).replace(/^\d+(?=[[{])/, '')); } catch { return null; }
  const keys = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.keys(x).sort() : []);
  if (Array.isArray(v)) {
    const [head, ...rest] = v;
    const parts = [typeof head === 'string' ? JSON.stringify(head) : keys(head).join(','), ...rest.map((e) => keys(e).join(','))];
    return rest.length > 0 || keys(head).length >= 2 ? `[${parts.join('|')}]` : null;
  }
  const k = keys(v);
  return k.length >= 2 ? `{${k.join(',')}}` : null;
}

/** Data messages the operator's own connection gets for the canary (memoised). */
function operatorAnswers(ctx: CheckContext): Promise<string[]> {
  return ctx.memo('auth:operator-canary-answers', async () => {
    const { canary, canaryWaitMs, protocol } = ctx.options;
    if (!canary) return [];
    const r = await ctx.connect();
    if (!r.ok) return [];
    const from = r.socket.messages.length;
    r.socket.send(canary);
    await r.socket.collect(canaryWaitMs);
    r.socket.close();
    return r.socket.messages.slice(from).filter((m) => !isControlPacket(m, protocol === 'socket.io') && !isEchoOf(m, canary) && !looksLikeError(m));
  });
}

/**
 * With --canary, a forged credential's silence is evidence only if the operator's own connection
 * gets an answer: when even the control goes unanswered (a server that answers nothing, a wrong
 * canary), every probe would look "rejected" and the check would pass on no evidence. Skips then.
 */
export async function requireCanaryAnswered(ctx: CheckContext): Promise<void> {
  const { canary, canaryExpect, canaryWaitMs } = ctx.options;
  if (!canary) return;
  const answers = await operatorAnswers(ctx);
  if (!answers.length) ctx.skip(`no evidence: the operator's own connection got no answer to the canary within ${canaryWaitMs} ms, so a forged credential's silence proves nothing (check --canary)`);
  if (canaryExpect && !answers.some((m) => new RegExp(canaryExpect).test(m))) {
    ctx.skip(`no evidence: the operator's own answer to the canary does not match --canary-expect (${answers[0]?.slice(0, 100) ?? ''}), so a forged credential's answer could not be recognised`);
  }
}

/** Sends the canary over a connection made with `variant`: the operator's answer (regex), or its shape. */
async function canaryServed(ctx: CheckContext, variant: HandshakeVariant): Promise<AuthProbe & { byShape?: boolean }> {
  const { canary = '', canaryExpect, canaryWaitMs, protocol } = ctx.options;
  const shapes = new Set((await operatorAnswers(ctx)).map(shapeOf).filter((s): s is string => s !== null));
  const r = await ctx.connect(variant);
  if (!r.ok) return { outcome: 'rejected', detail: r.status ? `HTTP ${r.status}` : `connection failed: ${r.error ?? 'unknown'}` };
  const s = r.socket;
  try {
    const re = canaryExpect ? new RegExp(canaryExpect) : null;
    const judge = (m: string): 'certain' | 'shape' | null => {
      if (isControlPacket(m, protocol === 'socket.io') || isEchoOf(m, canary)) return null;
      if (re?.test(m)) return 'certain';
      if (looksLikeError(m)) return null;
      const sh = shapeOf(m);
      return sh !== null && shapes.has(sh) ? 'shape' : null;
    };
    const from = s.messages.length;
    s.send(canary);
    const hit = await s.waitFor((m) => judge(m) !== null, canaryWaitMs, from);
    if (hit === null) {
      const closed = s.closed;
      return { outcome: 'rejected', detail: closed ? `101 then close ${closed.code} ${closed.reason}`.trim() : `101 but no protected answer within ${canaryWaitMs} ms` };
    }
    const byShape = judge(hit) === 'shape';
    return { outcome: 'accepted', confidence: byShape ? 'likely' : 'certain', byShape, detail: `101, canary answered${byShape ? ' (shaped like the operator\'s own answer)' : ''}: ${hit.slice(0, 200)}` };
  } finally {
    s.close();
  }
}

/**
 * Did the target serve these (forged) credentials? With --canary: its protected answer, or one
 * shaped like it that an anonymous client does not get. Without: a 101 where the anonymous
 * handshake is refused, or a socket that stays open where the anonymous one is closed.
 */
export async function servedTo(ctx: CheckContext, credentials: Credentials | null): Promise<AuthProbe> {
  const variant: HandshakeVariant = credentials ? { credentials } : { withCredentials: false };
  if (!ctx.options.canary) {
    const p = await credentialAccepted(ctx, variant);
    if (p.outcome !== 'unknown') return p;
    const anon = await anonymousProbe(ctx);
    return anon.outcome === 'rejected' && anon.detail.startsWith('101 then close')
      ? { outcome: 'accepted', confidence: 'likely', detail: `101 and the socket stays open, while without credentials: ${anon.detail}` }
      : p;
  }
  const p = await canaryServed(ctx, variant);
  if (p.outcome !== 'accepted' || !p.byShape || !credentials) return p;
  // A shape any client gets (an "anonymous" profile) says nothing about the credential.
  const anon = await ctx.memo('auth:anonymous-canary-shape', () => canaryServed(ctx, { withCredentials: false }));
  return anon.outcome === 'accepted' ? { outcome: 'rejected', detail: `answered, but a client without credentials gets the same kind of answer (${anon.detail})` } : p;
}

/** Strongest confidence among accepted probes. */
export function strongest(levels: Confidence[]): Confidence {
  return levels.includes('certain') ? 'certain' : levels.includes('likely') ? 'likely' : 'tentative';
}
