import { jwtPart } from '../../check-helpers.js';
import { redactedForm } from '../../redact.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-SESSION-04',
  title: 'Weak session identifiers issued at handshake',
  area: 'SESSION',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 7.2.3', 'ASVS 3.3.1', 'ASVS 3.3.2', 'OWASP-CS', 'S11'],
  remediation: 'Generate ids with a CSPRNG (≥ 128 bits, e.g. crypto.randomBytes(16)); set cookies with the __Host- prefix, Secure, HttpOnly and SameSite=Lax or Strict.',
  description: 'Collects ids from 50 handshakes (Set-Cookie on the 101, Engine.IO sid) and estimates their entropy; checks cookie flags. A structured value is not a random identifier and is judged by its random part only: a connect/express signed cookie (s:<id>.<signature>) by its id; a JWT, or signed or plain base64 JSON data (Mojolicious <payload>--<HMAC>), is not judged for entropy (its strength is its signing key), and the evidence says so. Finding (medium) for sequential or low-entropy ids (< 64 bits estimated), (low) for missing cookie flags. Samples are shown redacted (prefix and length).',
};

const SAMPLES = 50;

/** Sum over positions of log2(distinct characters seen there): a rough, conservative estimate. */
export function estimateBits(ids: string[]): number {
  const len = Math.max(...ids.map((i) => i.length));
  let bits = 0;
  for (let p = 0; p < len; p++) bits += Math.log2(new Set(ids.map((i) => i[p] ?? '')).size);
  return bits;
}

export function sequential(ids: string[]): boolean {
  if (!ids.every((i) => /^\d{1,30}$/.test(i))) return false;
  const n = ids.map((i) => BigInt(i));
  const span = n.reduce((a, b) => (a > b ? a : b)) - n.reduce((a, b) => (a < b ? a : b));
  return span < BigInt(ids.length * 1000);
}

/** Base64 (standard or url alphabet) that decodes to a JSON object or array: data, not an identifier. */
function base64Json(v: string): boolean {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(v)) return false;
  const text = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
  // Mojolicious pads the JSON with 'Z' before encoding, so the cookie's length says nothing.
  const body = text.replace(/Z+$/, '');
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/**
 * What of a session value is random: the value itself (null: an opaque identifier), the id of a
 * connect/express signed cookie, or nothing when it is signed data (a JWT, Mojolicious's
 * `<base64 JSON>--<HMAC>`, base64 JSON), whose strength is a key's, not its randomness.
 */
export function structureOf(value: string): { random: string } | { notApplicable: string } | null {
  let v = value;
  try { v = decodeURIComponent(value); } catch { /* not URL-encoded */ }
  if (v.split('.').length === 3 && typeof jwtPart(v, 0)?.alg === 'string') return { notApplicable: 'a JWT (signed claims)' };
  const express = /^s:([^.]+)\.[A-Za-z0-9+/_-]{20,}={0,2}$/.exec(v);
  if (express?.[1]) return { random: express[1] };
  const signed = /^(.+)--([0-9a-f]{32,}|[A-Za-z0-9+/_-]{27,}={0,2})$/.exec(v);
  if (signed?.[1] && base64Json(signed[1].replace(/-+$/, (m) => '='.repeat(Math.min(m.length, 2))))) return { notApplicable: 'signed data (base64 JSON payload, then --HMAC: the Mojolicious session format)' };
  if (base64Json(v)) return { notApplicable: 'base64-encoded JSON data' };
  return null;
}

function cookieFlaws(setCookie: string): string[] {
  const [pair = '', ...attrs] = setCookie.split(';').map((s) => s.trim());
  const a = attrs.map((x) => x.toLowerCase());
  const flaws: string[] = [];
  if (!a.includes('secure')) flaws.push('no Secure');
  if (!a.includes('httponly')) flaws.push('no HttpOnly');
  if (!a.some((x) => x === 'samesite=lax' || x === 'samesite=strict')) flaws.push('no SameSite=Lax/Strict');
  if (!pair.startsWith('__Host-')) flaws.push('no __Host- prefix');
  return flaws;
}

export async function run(ctx: CheckContext): Promise<void> {
  const byName = new Map<string, string[]>();
  const flaws = new Map<string, string[]>();
  const add = (name: string, v: string) => (byName.get(name) ?? byName.set(name, []).get(name) ?? []).push(v);
  const socketIo = ctx.options.protocol === 'socket.io';
  for (let i = 0; i < SAMPLES && !ctx.signal.aborted; i++) {
    const r = await ctx.handshake({ raw: { keepOpen: socketIo } });
    for (const c of r.response.headers['set-cookie'] ?? []) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      add(`cookie ${name}`, pair.slice(eq + 1).trim());
      if (i === 0) flaws.set(name, cookieFlaws(c));
    }
    if (r.connection) {
      const f = await r.connection.nextFrame(ctx.options.requestTimeoutMs);
      const sid = /^0(\{.*\})$/.exec(f?.payload.toString('utf8') ?? '')?.[1];
      r.connection.destroy();
      if (sid) {
        try {
          const v = (JSON.parse(sid) as { sid?: unknown }).sid;
          if (typeof v === 'string') add('Engine.IO sid', v);
        } catch { /* not an open packet */ }
      }
    }
    if (i === 0 && byName.size === 0) ctx.skip(`no session identifier issued at the handshake (Set-Cookie on the 101${socketIo ? ', Engine.IO sid' : ''})`);
  }
  const weak: string[] = [];
  const notJudged: string[] = [];
  for (const [name, values] of byName) {
    const first = values[0] ? structureOf(values[0]) : null;
    if (first && 'notApplicable' in first) {
      notJudged.push(`${name} is ${first.notApplicable}, not a random identifier: its strength is the signing key's, so its entropy is not judged`);
      continue;
    }
    // Only the random part of a structured value (an express signed cookie's id) is judged.
    const ids = first ? values.map((v) => { const s = structureOf(v); return s && 'random' in s ? s.random : v; }) : values;
    if (ids.length < 2) continue;
    const dupes = ids.length - new Set(ids).size;
    const bits = estimateBits(ids);
    // Per-position variety needs enough samples before "few bits" means anything.
    const lowEntropy = ids.length >= 20 && bits < 64;
    const part = first ? ' (its random part)' : '';
    if (sequential(ids) || dupes > 0 || lowEntropy) weak.push(`${name}${part}: ${ids.slice(0, 4).map(redactedForm).join(', ')}… (${sequential(ids) ? 'sequential, ' : ''}${dupes} duplicates, ~${Math.round(bits)} bits estimated from ${ids.length} samples)`);
  }
  if (weak.length) ctx.report({ confidence: 'likely', evidence: `Predictable identifiers:\n${weak.join('\n')}` });
  const flagged = [...flaws].filter(([, f]) => f.length).map(([name, f]) => `cookie ${name}: ${f.join(', ')}`);
  const aside = notJudged.length ? `\n(${notJudged.join('; ')})` : '';
  if (flagged.length) ctx.report({ severity: 'low', confidence: 'certain', title: 'Session cookie set at handshake lacks security flags', evidence: flagged.join('\n') + aside });
  else if (notJudged.length && weak.length === 0 && notJudged.length === byName.size) ctx.skip(`not applicable: ${notJudged.join('; ')}`);
  else if (notJudged.length) ctx.observed(notJudged.join('; '));
}
