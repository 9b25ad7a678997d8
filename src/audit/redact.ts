/**
 * Credentials never appear in a report. Every report runAudit builds passes through redactReport
 * (runner.ts, buildReport), whatever a check wrote: each occurrence of a secret in any string of
 * the report (findings, check reasons, the target URL) is replaced by a short prefix and its
 * length. Secrets are the operator's own (every identity's token, cookie values, header values,
 * credentials written into the target URL, the extra tokens) and the session identifiers the
 * target issued during the audit (Set-Cookie values, Engine.IO sids), which a reader of the
 * report could replay just as well. A truncated copy (evidence cut at N characters) or a copy
 * with its last character changed (a tampered credential) is caught too: any run of at least
 * MIN_RUN characters that starts a secret is replaced.
 */
import type { AuditOptions, Credentials } from './options.js';
import { CREDENTIAL_PARAM } from './request-variant.js';
import type { AuditReport, TrafficEntry } from './types.js';

/** Shorter values are not looked for in free text (they would match ordinary words and numbers). */
export const MIN_SECRET = 6;
/** A copy this long of a secret's start counts as the secret (a cut or tampered copy). */
const MIN_RUN = 12;

/** How evidence shows a secret: a short prefix (at most 6 characters, a quarter of it) and its length. */
export function redactedForm(s: string): string {
  const keep = Math.min(6, Math.floor(s.length / 4));
  return `${s.slice(0, keep)}…(${s.length} chars)`;
}

/** Forms a secret may take in evidence: as given, URL-decoded or -encoded, JSON-escaped. */
function forms(s: string): string[] {
  const out = [s, encodeURIComponent(s)];
  try {
    out.push(decodeURIComponent(s));
  } catch { /* not URL-encoded */ }
  out.push(JSON.stringify(s).slice(1, -1));
  return out;
}

/** A credential header value and, for `Scheme value` (Bearer, Basic), the value alone. */
function headerSecrets(v: string): string[] {
  const m = /^\S+\s+(\S.*)$/.exec(v);
  return m?.[1] ? [v, m[1]] : [v];
}

function cookieValues(cookie: string): string[] {
  return cookie.split(';').flatMap((part) => {
    const eq = part.indexOf('=');
    return eq > 0 ? [part.slice(eq + 1).trim()] : [];
  });
}

export function credentialSecrets(c: Credentials | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  if (c.token) out.push(c.token);
  if (c.cookie) out.push(...cookieValues(c.cookie));
  for (const [k, v] of Object.entries(c.headers)) out.push(...(k.toLowerCase() === 'cookie' ? cookieValues(v) : headerSecrets(v)));
  return out;
}

/** Every secret the operator gave, for every identity, and a credential written into the target URL. */
export function operatorSecrets(options: AuditOptions, target: URL): string[] {
  const out = [options.credentials, options.secondIdentity, options.privIdentity, options.logoutIdentity].flatMap(credentialSecrets);
  for (const t of [options.shortToken, options.expiredToken, options.otherAudienceToken]) if (t) out.push(t);
  for (const [name, value] of target.searchParams) if (CREDENTIAL_PARAM.test(name)) out.push(value);
  if (target.password) out.push(decodeURIComponent(target.password));
  return out;
}

const SID = /"sid"\s*:\s*"([^"]+)"/g;

/** Session identifiers the target issued in one recorded answer: Set-Cookie values, Engine.IO sids. */
export function issuedSecrets(e: TrafficEntry): string[] {
  if (e.direction !== 'in') return [];
  const out = (e.headers?.['set-cookie'] ?? []).flatMap((c) => cookieValues(c.split(';')[0] ?? ''));
  if (e.text.includes('"sid"')) for (const m of e.text.matchAll(SID)) if (m[1]) out.push(m[1]);
  return out;
}

/** Replaces every secret in text (longest copy first where two secrets share a start). */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) for (const f of forms(s)) if (f.length >= MIN_SECRET) all.add(f);
    this.secrets = [...all];
  }

  get size(): number {
    return this.secrets.length;
  }

  redact(text: string): string {
    if (!this.secrets.length || !text) return text;
    const hits: Array<{ at: number; len: number; secret: string }> = [];
    for (const s of this.secrets) {
      const head = s.slice(0, Math.min(s.length, MIN_RUN));
      for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
        let len = head.length;
        while (len < s.length && text[at + len] === s[len]) len++;
        hits.push({ at, len, secret: s });
      }
    }
    if (!hits.length) return text;
    hits.sort((a, b) => a.at - b.at || b.len - a.len);
    // Overlapping copies are redacted as one stretch, shown as the first one's secret.
    let out = '';
    let pos = 0;
    for (const h of hits) {
      if (h.at < pos) {
        pos = Math.max(pos, h.at + h.len);
        continue;
      }
      out += text.slice(pos, h.at) + redactedForm(h.secret);
      pos = h.at + h.len;
    }
    return out + text.slice(pos);
  }
}

/** The report with every secret replaced in every string it holds. */
export function redactReport(report: AuditReport, redactor: Redactor): AuditReport {
  const r = (s: string) => redactor.redact(s);
  return {
    ...report,
    target: r(report.target),
    checks: report.checks.map((c) => (c.reason === undefined ? c : { ...c, reason: r(c.reason) })),
    findings: report.findings.map((f) => ({ ...f, title: r(f.title), evidence: r(f.evidence), remediation: r(f.remediation) })),
    ...(report.incomplete ? { incomplete: { reason: r(report.incomplete.reason) } } : {}),
  };
}
