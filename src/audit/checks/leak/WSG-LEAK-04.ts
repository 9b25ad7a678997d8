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
  remediation: 'Answer Sec-WebSocket-Protocol with one offered protocol name, never the token-bearing entry; never echo tokens or cookies in messages; send close reasons as short valid UTF-8 strings (ws: upgrade to ≥ 8.20.1, never pass peer-influenced TypedArrays to close()).',
  description: 'Passive: checks the recorded 101 answers\' Sec-WebSocket-Protocol (must not carry the token or the token-bearing entry), looks for the operator\'s token, cookie values and Authorization credentials in every recorded server frame, close reason and HTTP answer (Set-Cookie aside), and checks close reasons are valid UTF-8 without control bytes.',
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

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const creds = ctx.options.credentials;
  const secrets = secretsOf(creds);
  const inbound = ctx.traffic.entries().filter((e) => e.direction === 'in');
  const lines: string[] = [];

  const protocols = inbound.filter((e) => e.kind === 'http' && e.status === 101).flatMap((e) => e.headers?.['sec-websocket-protocol'] ?? []);
  const echoedProto = protocols.find((p) => secrets.some((s) => p.includes(s)) || p.startsWith(creds.tokenSubprotocolPrefix));
  if (echoedProto) lines.push(`101 answers Sec-WebSocket-Protocol: ${mask(echoedProto)} (the token-bearing entry)`);

  for (const e of inbound) {
    const text = e.kind === 'http' ? e.text.split('\n').filter((l) => !/^(set-cookie|sec-websocket-protocol):/i.test(l)).join('\n') : e.text;
    const s = secrets.find((x) => text.includes(x));
    if (s) {
      lines.push(`credential ${mask(s)} echoed in a ${where(e)}`);
      break;
    }
  }

  const junk = inbound.find((e) => e.kind === 'close' && e.bytes && e.bytes.length > 0 && (!isUtf8(e.bytes) || hasControlBytes(e.bytes)));
  if (junk?.bytes) lines.push(`${where(junk)} is not clean UTF-8: bytes ${junk.bytes.subarray(0, 8).toString('hex')}${junk.bytes.length > 8 ? '…' : ''} (possible uninitialised memory)`);

  if (lines.length === 0) return;
  const onlyJunk = !echoedProto && lines.length === 1 && junk;
  ctx.report({ confidence: onlyJunk ? 'tentative' : 'certain', evidence: `${lines.join('; ')}.` });
}
