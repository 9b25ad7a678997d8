import { createHash } from 'node:crypto';
import { jwtPart } from '../../check-helpers.js';
import { ownCanaryAnswer } from '../../context.js';
import type { CheckContext, CheckMeta, Severity } from '../../types.js';
import { echoChecker, inbound, mask, where } from './traffic-scan.js';

export const meta: CheckMeta = {
  id: 'WSG-LEAK-02',
  title: 'Sensitive data in server frames',
  area: 'LEAK',
  severity: 'high',
  mode: 'safe',
  passive: true,
  references: ['ZAP-110002', 'ZAP-110004', 'ZAP-110005', 'ZAP-110006', 'ZAP-110007', 'ZAP-110008'],
  remediation: 'Send each client only the fields it needs: no card numbers, tokens, keys or passwords, no internal addresses; strip debug fields and comments from messages.',
  description: 'Passive: scans every server text and binary frame recorded during the audit for card numbers (issuer prefix + Luhn), JWTs, private keys, AWS keys and password/secret fields (high), RFC 1918 addresses and EC2 internal hostnames (low), e-mail addresses, XML comments with TODO/FIXME/etc., base64 text and hashes of the operator\'s user name (info); base64 is decoded and scanned again. The operator\'s own token and echoes of what the auditor sent are ignored, and so is the info and low data (e-mail address, user-name hash…) of a frame answering the canary on the connection that sent it (a Socket.IO ACK to its event, or the frame matching --canary-expect): that identity\'s own data, sent to it; LEAK-03 judges it reaching another identity.',
};

interface Category {
  label: string;
  severity: Severity;
  find(text: string): string | null;
  /** Findings show `find`'s result as is (already masked, or not a secret) instead of masking it. */
  shown?: boolean;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

// Not part of a decimal, an id or a token (`0.4901…`, `5b7f-4901…`), and not a bare JSON number
// (`"score":4901…`): random floats and numeric ids pass the issuer prefix and Luhn about 2% of the time.
const CARD = /(?<![\w.-])(?<![:[,]\s*)\d(?:[ -]?\d){12,18}(?![\w.-])/g;

function card(text: string): string | null {
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, '');
    if (/^(?:4|5[1-5]|2[2-7]|3[47]|6011|65|35|30[0-5]|36|38)/.test(digits) && luhn(digits)) return digits;
  }
  return null;
}

const first = (re: RegExp) => (text: string): string | null => re.exec(text)?.[0] ?? null;
const JWT = /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/;
const SECRETS: Array<[string, RegExp]> = [
  ['JWT', JWT],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  // Not a bare "secret" key: applications use it for ordinary data.
  ['password/key field', /["']?(?:password|passwd|pwd|api[_-]?key|client_secret|private[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?[^\s"',}]{4,}/i],
];

function secret(text: string): string | null {
  for (const [label, re] of SECRETS) {
    const m = re.exec(text);
    if (m) return `${label} ${mask(m[0])}`;
  }
  return null;
}

/** Base64 (padded or not, standard or url alphabet) that decodes to mostly printable text. */
function base64Texts(text: string): string[] {
  const out: string[] = [];
  for (const m of text.replace(new RegExp(JWT.source, 'g'), ' ').matchAll(/[A-Za-z0-9+/_-]{24,}={0,2}/g)) {
    if (/^[0-9a-f]+$/i.test(m[0])) continue;
    const decoded = Buffer.from(m[0], m[0].includes('-') || m[0].includes('_') ? 'base64url' : 'base64').toString('latin1');
    const printable = decoded.replace(/[^\x20-\x7e\n\t]/g, '').length;
    if (decoded.length >= 12 && printable / decoded.length > 0.9) out.push(decoded);
  }
  return out;
}

function categories(ctx: CheckContext): Category[] {
  const sub = ctx.options.credentials.token ? jwtPart(ctx.options.credentials.token, 1)?.sub : undefined;
  const hashes = typeof sub === 'string' && sub ? ['md5', 'sha1', 'sha256'].map((a) => createHash(a).update(sub).digest('hex')) : [];
  return [
    { label: 'card number', severity: 'high', find: card },
    { label: 'secret', severity: 'high', find: secret, shown: true },
    { label: 'secret inside base64', severity: 'high', find: (t) => base64Texts(t).map(secret).find((s) => s !== null) ?? null, shown: true },
    { label: 'private address', severity: 'low', shown: true, find: first(/\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}\b|\bip-\d+-\d+-\d+-\d+\.[\w.-]*internal\b/) },
    { label: 'e-mail address', severity: 'info', find: first(/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/i) },
    { label: 'XML comment', severity: 'info', find: first(/<!--[^]{0,200}?\b(?:TODO|FIXME|BUG|HACK|XXX|DEBUG)\b[^]{0,200}?-->/i) },
    { label: 'hash of the operator user name', severity: 'info', find: (t) => hashes.find((h) => t.toLowerCase().includes(h)) ?? null },
    { label: 'base64 text', severity: 'info', find: (t) => base64Texts(t)[0] ?? null },
  ];
}

export async function run(ctx: CheckContext): Promise<void> {
  const echoed = echoChecker(ctx);
  const own = ctx.options.credentials.token;
  const cats = categories(ctx);
  const found = new Map<Category, string>();
  let ownAnswers = 0;
  for (const e of inbound(ctx, ['frame'])) {
    // The operator's own token coming back is LEAK-04's finding.
    const text = own ? e.text.split(own).join(' ') : e.text;
    // An identity's answer to its own canary is its own data (LEAK-03 judges it reaching another
    // identity); only what no client needs, even about itself (keys, passwords, cards), is flagged there.
    const mine = ownCanaryAnswer(e);
    if (mine) ownAnswers++;
    for (const c of cats) {
      if (found.has(c) || (mine && c.severity !== 'high')) continue;
      const hit = c.find(text);
      if (hit && !echoed(hit)) found.set(c, `${c.label} in a ${where(e)}: ${c.shown ? hit : mask(hit)}`);
    }
  }
  if (ownAnswers && found.size === 0) ctx.observed(`${ownAnswers} answer${ownAnswers === 1 ? '' : 's'} to the canary on the connection that sent it read as that identity's own data (only keys, passwords, cards and tokens count there)`);
  for (const [c, evidence] of found) ctx.report({ severity: c.severity, confidence: 'certain', title: `Sensitive data in server frames: ${c.label}`, evidence });
}
