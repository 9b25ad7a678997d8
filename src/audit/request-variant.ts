/**
 * Turns a HandshakeVariant into the concrete request: URL (same host as the target, always),
 * ordered headers, offered subprotocols, and the first message for first-message auth.
 */
import type { AuditOptions, Credentials, HandshakeVariant } from './types.js';

export interface ConcreteRequest {
  url: URL;
  /** Header name → value, in sending order; excludes Sec-WebSocket-Protocol. */
  headers: Array<[string, string]>;
  protocols: string[];
  /** First-message auth payload, when the credentials say so. */
  firstMessage?: string;
}

export function credentialsOf(options: AuditOptions, variant: HandshakeVariant): Credentials | null {
  if (variant.withCredentials === false) return null;
  return variant.credentials ?? options.credentials;
}

function authMessageOf(c: Credentials): string | undefined {
  return c.authMessage?.split('{{token}}').join(c.token ?? '');
}

/**
 * The auth payload of a Socket.IO CONNECT (`io(url, { auth })`): --auth-message when it is a JSON
 * object, else `{"token": …}`. With --token-in message the token travels only here; with the
 * default (header) also here, as Socket.IO clients send it; a token placed in the query or a
 * subprotocol stays there alone (moving it, as WSG-AUTH-03 does, must leave no copy behind).
 */
export function socketIoAuth(c: Credentials | null): Record<string, unknown> | undefined {
  if (!c || (c.tokenIn !== 'message' && c.tokenIn !== 'header' && !c.authMessage)) return undefined;
  const template = authMessageOf(c);
  if (template !== undefined) {
    try {
      const v: unknown = JSON.parse(template);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* not JSON: fall back to the token */ }
  }
  return c.token ? { token: c.token } : undefined;
}

export function hasAnyCredential(c: Credentials | null | undefined): boolean {
  return Boolean(c && (c.cookie || c.token || Object.keys(c.headers).length > 0));
}

/** Cookie or HTTP auth header: what a browser attaches on its own (CSWSH exposure). */
export function hasAmbientCredential(c: Credentials | null | undefined): boolean {
  if (!c) return false;
  return Boolean(c.cookie) || Object.entries(c.headers).some(([k, v]) => k.toLowerCase() === 'cookie' || (k.toLowerCase() === 'authorization' && /^(basic|digest|negotiate)\s/i.test(v)));
}

const SPECIAL_CASE: Record<string, string> = { websocket: 'WebSocket', www: 'WWW', dnt: 'DNT', te: 'TE', etag: 'ETag', md5: 'MD5' };

/** `x-api-key` → `X-Api-Key`, `sec-websocket-protocol` → `Sec-WebSocket-Protocol`: the case browsers send. */
export function canonicalHeaderName(name: string): string {
  return name.trim().split('-').map((w) => SPECIAL_CASE[w.toLowerCase()] ?? (w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('-');
}

/**
 * Query parameters that carry a credential when the operator writes one into the target URL
 * (`?token=…`, `?access_token=…`, `?api_key=…`, `?sid=…`): the operator's, like --token.
 */
export const CREDENTIAL_PARAM = /^(?:(?:access|auth|id|refresh)?[_-]?token|jwt|auth(?:orization)?|bearer|(?:api|access|auth|secret)?[_-]?key|apikey|secret|pass(?:word)?|sid|session(?:[_-]?id)?|ticket|sig(?:nature)?|credentials?)$/i;

export function concreteRequest(target: URL, options: AuditOptions, variant: HandshakeVariant = {}): ConcreteRequest {
  const url = new URL(target.href);
  // Another identity, or none: the operator's credential in the URL stays out too.
  if (variant.withCredentials === false || (variant.credentials !== undefined && variant.credentials !== options.credentials)) {
    for (const name of [...url.searchParams.keys()]) if (CREDENTIAL_PARAM.test(name)) url.searchParams.delete(name);
    url.username = '';
    url.password = '';
  }
  if (variant.path !== undefined) url.pathname = variant.path;
  if (variant.endpoint?.tls !== undefined) url.protocol = variant.endpoint.tls ? 'wss:' : 'ws:';
  if (variant.endpoint?.port !== undefined) url.port = String(variant.endpoint.port);
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string | null) => {
    if (value === null) headers.delete(name.toLowerCase());
    else headers.set(name.toLowerCase(), [name, value]);
  };
  const origin = variant.origin === undefined ? options.allowedOrigins[0] ?? null : variant.origin;
  if (origin !== null) set('Origin', origin);
  const protocols = [...(variant.subprotocols ?? options.subprotocols)];
  let firstMessage: string | undefined;
  const creds = credentialsOf(options, variant);
  if (creds) {
    for (const [k, v] of Object.entries(creds.headers)) set(canonicalHeaderName(k), v);
    if (creds.cookie) set('Cookie', creds.cookie);
    if (creds.token) {
      if (creds.tokenIn === 'header' && !headers.has('authorization')) set('Authorization', `Bearer ${creds.token}`);
      if (creds.tokenIn === 'query') url.searchParams.set(creds.tokenParam, creds.token);
      if (creds.tokenIn === 'subprotocol') protocols.push(creds.tokenSubprotocolPrefix + creds.token);
    }
    // Socket.IO authenticates in its CONNECT packet (socketIoAuth): a bare text frame is not a
    // Socket.IO packet, and Engine.IO closes the transport on it.
    if (options.protocol === 'socket.io') firstMessage = undefined;
    else if (creds.authMessage) firstMessage = authMessageOf(creds);
    else if (creds.tokenIn === 'message' && creds.token) firstMessage = JSON.stringify({ type: 'auth', token: creds.token });
  }
  for (const [k, v] of Object.entries(variant.headers ?? {})) set(k, v);
  for (const [k, v] of Object.entries(variant.query ?? {})) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return { url, headers: [...headers.values()], protocols, firstMessage };
}
