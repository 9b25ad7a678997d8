/**
 * The baseline handshake decides whether an audit can say anything: when the operator's own
 * request is refused, nearly every check would be "not applicable", so the audit stops with one
 * line saying why and what to try, read from the server's answer.
 */
import type { RawHandshakeResult } from './raw/raw-handshake.js';
import type { AuditOptions } from './types.js';
import { hasAnyCredential } from './request-variant.js';

/** The audit cannot say anything about this target (CLI exit 2). */
export class AuditCannotRunError extends Error {}
export class BaselineFailedError extends AuditCannotRunError {}

/** One printable line of the refusal body (control characters out, bounded). */
function excerpt(body: string, n = 100): string {
  // eslint-disable-next-line no-control-regex
  const line = body.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > n ? `${line.slice(0, n)}…` : line;
}

/** What the refusal points at, in the order a server usually checks them. */
export function baselineHint(r: RawHandshakeResult, o: AuditOptions): string {
  const status = r.response.status;
  const body = r.response.body.toString('utf8');
  const headers = Object.entries(r.response.headers).map(([k, v]) => `${k}: ${v.join(', ')}`).join('\n');
  const text = `${body}\n${headers}`;
  const tries: string[] = [];
  // Still throttled after the retries (Retry-After waited out three times): nothing else to read from it.
  if (status === 429 || status === 503) tries.push(`the server is ${status === 429 ? 'rate-limiting' : 'refusing (503)'} the auditor's handshakes: rerun later or slower (--concurrency 1), or allowlist the auditor's address`);
  if (/sub-?protocol|sec-websocket-protocol/i.test(text)) {
    tries.push(o.subprotocols.length ? `the server refused subprotocol ${o.subprotocols.join(', ')}: check --subprotocol` : 'the server asks for a subprotocol: give --subprotocol NAME');
  }
  if (/origin|cross-site|csrf/i.test(body)) tries.push(`the server refused Origin ${o.allowedOrigins[0] ?? '(none)'}: give --origin with the page's origin`);
  const authish = status === 401 || r.response.headers['www-authenticate'] !== undefined || /auth|token|cookie|session|login|credential|unauthori[sz]ed/i.test(body);
  if (authish) tries.push(hasAnyCredential(o.credentials) ? 'the server refused the credentials: check --cookie/--token/--header (are they still valid?)' : 'the server wants credentials: give --cookie, --token or --header');
  if (status === 426 || /version/i.test(body)) tries.push('the server wants another WebSocket version or protocol');
  if (status === 404) tries.push('no WebSocket endpoint at this path: check the URL (or try --discover)');
  if (status >= 300 && status < 400) tries.push(`redirected to ${r.response.headers.location?.[0] ?? '(no Location)'}: audit that URL`);
  if (!tries.length) {
    const missing = [o.subprotocols.length ? '' : '--subprotocol', hasAnyCredential(o.credentials) ? '' : 'credentials (--cookie/--token/--header)', '--origin'].filter(Boolean);
    tries.push(`try ${missing.join(', ')}`);
  }
  const said = excerpt(body);
  return `baseline handshake got HTTP ${status}${r.response.statusText ? ` ${r.response.statusText}` : ''}${said ? ` ("${said}")` : ''}, not 101: ${tries.join('; ')}`;
}
