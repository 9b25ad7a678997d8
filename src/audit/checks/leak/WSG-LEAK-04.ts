import { isUtf8 } from 'node:buffer';
import { requireBaseline } from '../../check-helpers.js';
import type { CheckContext, CheckMeta, Credentials } from '../../types.js';
import { mask, where } from './traffic-scan.js';

export const meta: CheckMeta = {
  id: 'WSG-LEAK-04',
  title: 'Credentials or memory echoed back',
  area: 'LEAK',
  severity: 'medium',
  mode: 'safe',
  passive: true,
  references: ['S13 (Kubernetes subprotocol idiom)', 'S10 (CVE-2026-45736)', 'ASVS 16.2.5'],
  remediation: 'Answer Sec-WebSocket-Protocol with one offered protocol name, never the token-bearing entry.',
  description: 'Passive: checks the recorded 101 answers\' Sec-WebSocket-Protocol (must not carry the token or the token-bearing entry), looks for the operator\'s token, cookie values and Authorization credentials in every recorded server frame, close reason and HTTP answer (Set-Cookie aside), and checks close reasons are valid UTF-8 without control bytes. One finding per place, with its own title and fix: the 101\'s subprotocol (medium), messages and close reasons (medium), an HTTP answer such as a debug error page reflecting the request\'s cookies (low: the requester\'s own credential shown to itself, readable by script on the page; medium when a shared cache may keep it), a close reason with junk bytes (tentative).',
};

/** The operator's secrets worth looking for (8+ characters, so short values do not match by chance). */
function secretsOf(c: Credentials): string[] {
  const out: string[] = [];
  if (c.token) out.push(c.token);
  for (const part of (c.cookie ?? '').split(';')) out.push(part.slice(part.indexOf('=') + 1).trim());
  for (const [k, v] of Object.entries(c.headers)) {
    if (k.toLowerCase() === 'authorization') out.push(v.replace(/^\S+\s+/, ''));
    if (k.toLowerCase() === 'cookie') for (const part of v.split(';')) out.push(part.slice(part.indexOf('=') + 1).trim());
  }
  return [...new Set(out.filter((s) => s.length >= 8))];
}

/** Control bytes other than tab/newline/CR: not something a reason string carries. */
function hasControlBytes(b: Buffer): boolean {
  return b.some((c) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f);
}

/**
 * Could a shared cache keep this answer (and serve the credential in it to someone else)? Only when
 * it says so: `public`, `s-maxage`, or a positive max-age without `private`/`no-store`.
 */
function sharedCacheable(headers: Record<string, string[]> | undefined): boolean {
  const cc = (headers?.['cache-control'] ?? []).join(',').toLowerCase();
  if (/\b(?:private|no-store)\b/.test(cc)) return false;
  return /\bpublic\b|\bs-maxage=\d*[1-9]/.test(cc) || /\bmax-age=\d*[1-9]/.test(cc);
}

const HTTP_REMEDIATION = 'Do not show request headers or cookies on error pages: run the framework in production mode (Mojolicious: MOJO_MODE=production; Express: NODE_ENV=production; no debug toolbars) or render your own error pages. A page that reflects the Cookie header hands an HttpOnly cookie to any script that can read the page.';

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const creds = ctx.options.credentials;
  const secrets = secretsOf(creds);
  const inbound = ctx.traffic.entries().filter((e) => e.direction === 'in');

  const protocols = inbound.filter((e) => e.kind === 'http' && e.status === 101).flatMap((e) => e.headers?.['sec-websocket-protocol'] ?? []);
  const echoedProto = protocols.find((p) => secrets.some((s) => p.includes(s)) || p.startsWith(creds.tokenSubprotocolPrefix));
  if (echoedProto) ctx.report({ confidence: 'certain', title: 'Token-bearing subprotocol echoed in the 101', evidence: `101 answers Sec-WebSocket-Protocol: ${mask(echoedProto)} (the token-bearing entry).` });

  // Where a credential came back decides what it means and how to fix it: one finding per place.
  const inFrame = inbound.find((e) => e.kind !== 'http' && secrets.some((x) => e.text.includes(x)));
  if (inFrame) {
    const s = secrets.find((x) => inFrame.text.includes(x)) ?? '';
    ctx.report({
      confidence: 'certain', title: 'Credential echoed in WebSocket messages',
      evidence: `credential ${mask(s)} echoed in a ${where(inFrame)}.`,
      remediation: 'Never echo tokens, cookies or Authorization values in messages or close reasons: other parties (broadcast receivers, logs, browser extensions) see what the socket carries.',
    });
  }
  const inHttp = inbound.find((e) => e.kind === 'http' && e.status !== 101 && secrets.some((x) => withoutOwnHeaders(e.text).includes(x)));
  if (inHttp) {
    const s = secrets.find((x) => withoutOwnHeaders(inHttp.text).includes(x)) ?? '';
    const page = (inHttp.status ?? 0) >= 400 ? `an HTTP ${inHttp.status ?? ''} error page` : `an HTTP ${inHttp.status ?? ''} answer`;
    const cacheable = sharedCacheable(inHttp.headers);
    // The requester's own credential shown to itself is low; a page a shared cache may keep and serve to others is not.
    ctx.report({
      severity: cacheable ? 'medium' : 'low', confidence: 'certain',
      title: `Credential reflected in ${(inHttp.status ?? 0) >= 400 ? 'an HTTP error page' : 'an HTTP answer'}`,
      evidence: `credential ${mask(s)} (the operator's own, sent with the request) reflected in ${page} (during ${inHttp.checkId})${cacheable ? '; the answer is cacheable by a shared cache (Cache-Control), so it may be served to others' : ': shown to the requester itself, but readable by any script on that page, which defeats HttpOnly'}.`,
      remediation: HTTP_REMEDIATION,
    });
  }

  const junk = inbound.find((e) => e.kind === 'close' && e.bytes && e.bytes.length > 0 && (!isUtf8(e.bytes) || hasControlBytes(e.bytes)));
  if (junk?.bytes) {
    ctx.report({
      confidence: 'tentative', title: 'Close reason is not clean UTF-8 (possible memory disclosure)',
      evidence: `${where(junk)} is not clean UTF-8: bytes ${junk.bytes.subarray(0, 8).toString('hex')}${junk.bytes.length > 8 ? '…' : ''} (possible uninitialised memory).`,
      remediation: 'Send close reasons as short valid UTF-8 strings (ws: upgrade to ≥ 8.20.1, never pass peer-influenced TypedArrays to close()).',
    });
  }
}

/** An HTTP answer without the headers a server legitimately sends a credential in. */
function withoutOwnHeaders(text: string): string {
  return text.split('\n').filter((l) => !/^(set-cookie|sec-websocket-protocol):/i.test(l)).join('\n');
}
