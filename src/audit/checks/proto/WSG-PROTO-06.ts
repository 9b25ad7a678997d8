import { requireBaseline, statusLine } from '../../check-helpers.js';
import type { RawHandshakeOptions } from '../../raw/raw-handshake.js';
import type { AuditOptions, CheckContext, CheckMeta, Severity } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-06',
  title: 'Loose or legacy handshake accepted',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC6455 §4.2.1', 'RFC6455 §4.2.2', 'OWASP-CS', 'STEWS-F 300', 'STEWS-F 700'],
  remediation: 'Accept only RFC 6455 handshakes: GET, Connection: Upgrade, a 16-byte base64 Sec-WebSocket-Key and Sec-WebSocket-Version exactly 13 (426 with Sec-WebSocket-Version: 13 otherwise, 400 for the rest); drop hixie/hybi draft support.',
  description: 'Baseline handshake variants, one after another (a crash then names one): Sec-WebSocket-Version absent, 8, "13;", "13,14", "13\\r"; Sec-WebSocket-Key missing, 10 bytes, not base64; method POST; no Connection: Upgrade; a hixie-76 handshake (Key1/Key2 + 8-byte body); and Sec-WebSocket-Accept checked on the baseline. Finding when a variant gets 101 (info when only version 8, whose framing is RFC 6455 with masking, is accepted) or Accept is wrong.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** Eleven handshakes one after another, each bounded by the request timeout. */
export function timeoutMs(options: AuditOptions): number {
  return Math.max(options.timeoutMs, VARIANTS.length * options.requestTimeoutMs);
}

const VARIANTS: Array<[label: string, request: RawHandshakeOptions['request'], severity: Severity]> = [
  ['no Sec-WebSocket-Version', { version: null }, 'low'],
  ['Sec-WebSocket-Version: 8 (hybi-08 draft)', { version: '8' }, 'info'],
  ['Sec-WebSocket-Version: "13;"', { version: '13;' }, 'low'],
  ['Sec-WebSocket-Version: "13,14"', { version: '13,14' }, 'low'],
  ['Sec-WebSocket-Version: "13\\r"', { version: '13\r' }, 'low'],
  ['no Sec-WebSocket-Key', { key: null }, 'low'],
  ['Sec-WebSocket-Key of 10 bytes', { key: Buffer.alloc(10, 7).toString('base64') }, 'low'],
  ['Sec-WebSocket-Key not base64', { key: 'not*base64*at*all!!!!!==' }, 'low'],
  ['method POST', { method: 'POST', headers: [['Content-Length', '0']] }, 'low'],
  ['no Connection: Upgrade', { omit: ['connection'] }, 'low'],
  // draft-hixie-76 example request: no masking, no Sec-WebSocket-Key/Version.
  ['hixie-76 handshake (Key1/Key2 + 8-byte body)', { key: null, version: null, headers: [['Sec-WebSocket-Key1', '4 @1  46546xW%0l 1 5'], ['Sec-WebSocket-Key2', '12998 5 Y3 1  .P00']], body: '^n:ds[4U' }, 'low'],
];

export async function run(ctx: CheckContext): Promise<void> {
  const baseline = await requireBaseline(ctx);
  // One handshake at a time: when a variant takes the server down (sockjs 0.3.19 on an odd
  // version), the liveness watch names that variant, not one of eleven sent at once.
  const results: Array<{ label: string; severity: Severity; upgraded: boolean; status: string }> = [];
  for (const [label, request, severity] of VARIANTS) {
    try {
      const r = await ctx.handshake({ raw: { request } });
      results.push({ label, severity, upgraded: r.upgraded, status: statusLine(r) });
    } catch (e) {
      results.push({ label, severity, upgraded: false, status: (e as Error).message });
    }
  }
  const accepted = results.filter((r) => r.upgraded);
  const lines = accepted.map((r) => `${r.label}: HTTP 101`);
  if (baseline.acceptValid === false) lines.push('baseline Sec-WebSocket-Accept does not match the key sent');
  if (lines.length === 0) return;
  const severity: Severity = baseline.acceptValid === false || accepted.some((r) => r.severity === 'low') ? 'low' : 'info';
  ctx.report({ severity, confidence: 'certain', evidence: `${lines.join('; ')} (expected 426 for a version mismatch, 400 otherwise).` });
}
