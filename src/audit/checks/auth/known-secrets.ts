/**
 * Credentials signed with a well-known secret (AUTH-02): proven offline, from the operator's own
 * credential, without a request. A secret copied from a README or left at a framework's default
 * lets anyone sign a session or token for any user (Mojolicious signs with the app's moniker until
 * the app sets one: CVE-2024-58134; express-session's README shows "keyboard cat").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unsign } from 'cookie-signature';
import { compactVerify } from 'jose';

/** Secrets from READMEs, tutorials and framework defaults (bounded: each try is one HMAC). */
export const WELL_KNOWN_SECRETS: readonly string[] = [
  'secret', 'your-256-bit-secret', 'shhhhh', 'keyboard cat', 'changeme', 'change-me', 'changeit', 'change_me',
  'secretkey', 'secret-key', 'secret_key', 'SECRET_KEY', 'jwt-secret', 'jwt_secret', 'jwtsecret', 'JWT_SECRET',
  'supersecret', 'super-secret', 'super_secret', 'mysecret', 'my-secret', 'my_secret', 'your_jwt_secret',
  'your-secret-key', 'your_secret_key', 'test', 'testing', 'password', '123456', 'default', 'dev', 'development',
  'key', 'private', 'session', 'session-secret', 'session_secret', 'cookie-secret', 'cookie_secret', 'app-secret', 's3cr3t',
];

/** Mojolicious's default secret is the app's moniker: the lite script's or app class's name. */
const MONIKERS = ['mojo', 'myapp', 'my_app', 'app', 'mojolicious', 'main', 'server', 'index', 'chat', 'ws', 'websocket', 'web', 'api'];

export interface KnownSecret {
  /** Which scheme the credential is signed with, in words. */
  scheme: string;
  secret: string;
}

/** Names in the target's URL a moniker may equal (host label, path segments). */
function urlWords(target: URL): string[] {
  const words = [target.hostname.split('.')[0] ?? '', ...target.pathname.split('/')].map((w) => w.replace(/\.\w+$/, '').toLowerCase());
  return words.filter((w) => /^[a-z][\w-]{0,40}$/.test(w));
}

const HS = /^HS(256|384|512)$/;

async function jwtSecret(token: string): Promise<string | undefined> {
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }).alg;
  } catch {
    return undefined;
  }
  if (typeof alg !== 'string' || !HS.test(alg)) return undefined;
  for (const secret of WELL_KNOWN_SECRETS) {
    // The signature alone: an expired token signed with "secret" still proves the secret.
    const ok = await compactVerify(token, new TextEncoder().encode(secret), { algorithms: [alg] }).then(() => true, () => false);
    if (ok) return secret;
  }
  return undefined;
}

/** Mojolicious signed cookie: `value--hex(HMAC-SHA256("name=value", secret))`. */
function mojoSecret(name: string, value: string, target: URL): string | undefined {
  const at = value.lastIndexOf('--');
  const sig = value.slice(at + 2);
  if (at < 1 || !/^[0-9a-f]{64}$/.test(sig)) return undefined;
  const signed = `${name}=${value.slice(0, at)}`;
  const want = Buffer.from(sig, 'hex');
  for (const secret of new Set([...urlWords(target), ...MONIKERS, ...WELL_KNOWN_SECRETS])) {
    if (timingSafeEqual(createHmac('sha256', secret).update(signed).digest(), want)) return secret;
  }
  return undefined;
}

/** express-session / cookie-parser signed cookie: `s:value.signature`, usually URL-encoded. */
function expressSecret(value: string): string | undefined {
  let v = value;
  try { v = decodeURIComponent(value); } catch { /* as given */ }
  if (!v.startsWith('s:') || !v.includes('.')) return undefined;
  return WELL_KNOWN_SECRETS.find((secret) => unsign(v.slice(2), secret) !== false);
}

/**
 * The well-known secret the operator's credential is signed with, if any: a JWT (HS256/384/512),
 * a Mojolicious session cookie or an express-session cookie.
 */
export async function knownSecret(kind: 'token' | 'cookie', name: string, value: string, target: URL): Promise<KnownSecret | undefined> {
  if (kind === 'token' || value.split('.').length === 3) {
    const secret = await jwtSecret(value);
    if (secret !== undefined) return { scheme: 'JWT HMAC signature', secret };
  }
  if (kind !== 'cookie') return undefined;
  const mojo = mojoSecret(name, value, target);
  if (mojo !== undefined) return { scheme: 'Mojolicious signed cookie (HMAC-SHA256)', secret: mojo };
  const express = expressSecret(value);
  if (express !== undefined) return { scheme: 'express-session / cookie-signature signed cookie', secret: express };
  return undefined;
}
