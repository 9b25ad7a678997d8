/**
 * The hub's HTTP side: one request handler with a fixed route table. helmet sets the security
 * headers (strict CSP: scripts and styles from our own origin only, no inline code) on every answer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import contentType from 'content-type';
import helmet from 'helmet';
import { Counter } from 'prom-client';
import { z } from 'zod';
import type { Guard } from '../server/guard.js';
import { bearerFromHeader } from '../server/authenticator.js';
import { clientIp, compileTrust } from '../server/client-ip.js';
import { hostCheck } from '../server/gate/host.js';
import { isAllowedOrigin } from '../server/gate/origin.js';
import { bearerAuth, UNAVAILABLE_RETRY_AFTER_SEC } from '../server/http-auth.js';
import { KeyedBuckets } from '../server/token-bucket.js';
import type { AdminPermission, Identity, RevocationTarget } from '../auth/types.js';
import { signToken } from '../auth/sign.js';
import { ChannelName, Envelope, errorInfo, fieldPath, FileDeletePayload, FileUploadPayload, parseBoundedJson, WsguardError, type ErrorCodeValue } from '../protocol/index.js';
import type { Hub } from './hub.js';
import { DEMO_USERS } from './dev-users.js';
import type { StaticFile } from './static-files.js';

export interface HttpAppOptions {
  readonly guard: Guard;
  readonly hub: Hub;
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Dev mode: demo users can get tokens from loopback clients. */
  readonly dev?: { secret: string; issuer?: string; audience?: string };
  readonly metricsToken?: string;
  readonly trustProxy: readonly string[];
  readonly tls: boolean;
  /** Store and broker health for /healthz. */
  readonly health: () => Promise<{ store: boolean; broker: boolean }>;
  /** Admin revocations per admin subject per minute (default 30). */
  readonly revocationRatePerMin?: number;
  /** GETs of the page's files, /api/info and unknown paths per client IP per minute (default 600, burst the same). */
  readonly staticRatePerMin?: number;
}

/** The `perms.admin` entry `POST /api/revocations` requires. */
export const REVOKE_PERMISSION: AdminPermission = 'revoke';

const RevocationBody = z.union([
  z.strictObject({ sub: z.string().min(1).max(256) }),
  z.strictObject({ jti: z.string().min(1).max(256) }),
]);

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const PUBLISH_ROUTE = /^\/api\/channels\/([^/]{1,300})\/events$/;

class HttpError extends Error {
  /** invalid_message: schema path of the failing field (never its value). */
  field: string | undefined;
  constructor(readonly code: ErrorCodeValue, readonly status = errorInfo(code).status, readonly headers: Record<string, string> = {}) {
    super(code);
  }
}

function invalidField(field: string): HttpError {
  const e = new HttpError('invalid_message');
  if (field) e.field = field;
  return e;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store', ...headers });
}

/** 413, and the connection is closed after it: the rest of the body is never read. */
const tooLarge = () => new HttpError('too_large', 413, { Connection: 'close' });

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // A chunked body past the limit: stop reading and answer 413 (not a reset).
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(tooLarge());
    };
    req.on('data', onData);
    // Strict: invalid UTF-8 is refused (the WebSocket path closes 1007), never stored as U+FFFD.
    req.on('end', () => {
      try {
        resolve(STRICT_UTF8.decode(Buffer.concat(chunks)));
      } catch {
        reject(invalidField('body'));
      }
    });
    req.on('error', () => reject(new HttpError('invalid_message')));
  });
}

/** Exactly `application/json` (parameters allowed; a charset must be UTF-8), parsed by `content-type`. */
function isJsonContentType(req: IncomingMessage): boolean {
  try {
    const header = req.headers['content-type'];
    if (header === undefined) return false;
    const { type, parameters } = contentType.parse(header);
    return type === 'application/json' && (parameters.charset === undefined || parameters.charset.toLowerCase() === 'utf-8');
  } catch {
    return false;
  }
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!isJsonContentType(req)) throw new HttpError('invalid_message', 415);
  const parsed = parseBoundedJson(await readBody(req, limit));
  if (!parsed.ok) throw new HttpError('invalid_message');
  return parsed.value;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function createHttpApp(o: HttpAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const guard = o.guard;
  const trustProxy = compileTrust(o.trustProxy);
  const origins = new Set(guard.options.origins);
  const host = hostCheck(guard.options.hosts, guard.options.origins);
  // HTTP publish spends the identity's publish budget, shared with its WebSocket connections (hub.ts).
  const publishRetry = String(Math.max(1, Math.ceil(1 / guard.options.messageRate.perSec)));
  const revocationPerMin = o.revocationRatePerMin ?? 30;
  const revocationRate = new KeyedBuckets(revocationPerMin / 60, Math.max(1, Math.ceil(revocationPerMin)));
  // The page and its files are served from memory, but a flood of them still costs a write each
  // and fills logs and bandwidth: a per-IP budget, the same for every file (a page load is ~7 GETs).
  const staticPerMin = o.staticRatePerMin ?? 600;
  const staticRate = new KeyedBuckets(staticPerMin / 60, Math.max(1, Math.ceil(staticPerMin)));
  const staticRetry = String(Math.max(1, Math.ceil(60 / staticPerMin)));
  const metricsDigest = o.metricsToken !== undefined ? sha256(o.metricsToken) : undefined;
  const limited = new Counter({
    name: 'wsguard_http_rate_limited_total',
    help: 'HTTP requests refused by a rate limit (static: WSGUARD_STATIC_RATE_PER_IP per IP; publish: messageRate per identity; revocations: WSGUARD_REVOCATION_RATE per admin), by route.',
    labelNames: ['route'],
    registers: [guard.registry],
  });

  /** 429 past a rate limit: counted, and reported as a security event (logged aggregated per address). */
  function rateLimited(route: 'static' | 'publish' | 'revocations', ip: string, retryAfter: string): HttpError {
    limited.inc({ route });
    guard.security({ kind: 'http_rate_limited', reason: route, ip });
    return new HttpError('rate_limited', 429, { 'Retry-After': retryAfter });
  }

  /** GETs anyone may make: the page's files, /api/info, and paths that do not exist. */
  function chargeStatic(ip: string): void {
    if (!staticRate.take(ip)) throw rateLimited('static', ip, staticRetry);
  }
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        ...(o.tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: o.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  /** The guard's one bearer check (src/server/http-auth.ts), as an HttpError on refusal. */
  async function authenticate(req: IncomingMessage, ip: string, route: string): Promise<Identity> {
    const auth = await bearerAuth(guard.authenticator, req, ip);
    if (auth.ok) return auth.identity;
    guard.security({ kind: 'http_auth_refused', reason: auth.reason, ip, route });
    throw new HttpError(auth.code, auth.status, auth.headers);
  }

  async function revoke(req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
    const identity = await authenticate(req, ip, 'revocations');
    if (!identity.perms.admin?.includes(REVOKE_PERMISSION)) {
      guard.security({ kind: 'http_auth_refused', reason: 'not_admin', ip, route: 'revocations' });
      throw new HttpError('forbidden');
    }
    if (!revocationRate.take(identity.sub)) throw rateLimited('revocations', ip, String(Math.max(1, Math.ceil(60 / revocationPerMin))));
    const body = RevocationBody.safeParse(await readJson(req, 1024));
    if (!body.success) throw new HttpError('invalid_message');
    const target: RevocationTarget = 'sub' in body.data ? { sub: body.data.sub } : { jti: body.data.jti };
    await guard.revoke(target); // cluster-wide through the shared revocation store
    guard.security({ kind: 'admin_revocation', by: identity.sub, ip, ...target });
    json(res, 200, { revoked: target });
  }

  async function publish(req: IncomingMessage, res: ServerResponse, rawChannel: string, ip: string): Promise<void> {
    let channel: string;
    try {
      channel = decodeURIComponent(rawChannel);
    } catch {
      throw new HttpError('invalid_message');
    }
    if (!ChannelName.safeParse(channel).success) throw new HttpError('invalid_message');
    const identity = await authenticate(req, ip, 'publish');
    if (!o.hub.takePublishBudget(identity.sub)) throw rateLimited('publish', ip, publishRetry);
    // Same JSON as the WebSocket frame: { "type": "file_upload"|"file_delete", "payload": {...} };
    // payload.channel may be omitted, and must equal the URL's channel when present.
    const env = Envelope.safeParse(await readJson(req, guard.options.maxPayload));
    if (!env.success) throw invalidField(fieldPath(Envelope, env.error.issues, ''));
    const body = { channel, ...(env.data.payload ?? {}) };
    if (body.channel !== channel) throw invalidField('payload.channel');
    let result: { seq: number };
    if (env.data.type === 'file_upload') {
      const p = FileUploadPayload.safeParse(body);
      if (!p.success) throw invalidField(fieldPath(FileUploadPayload, p.error.issues, 'payload'));
      result = await o.hub.publishFrom(identity, { kind: 'file_upload', payload: p.data });
    } else if (env.data.type === 'file_delete') {
      const p = FileDeletePayload.safeParse(body);
      if (!p.success) throw invalidField(fieldPath(FileDeletePayload, p.error.issues, 'payload'));
      result = await o.hub.publishFrom(identity, { kind: 'file_delete', payload: p.data });
    } else throw new HttpError('unknown_type');
    json(res, 201, result);
  }

  async function devToken(req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
    // Dev mode only, loopback only, and from our own page (or a non-browser client).
    if (!o.dev || !LOOPBACK.has(ip)) throw new HttpError('not_found');
    const origin = req.headers.origin;
    if (origin !== undefined && !isAllowedOrigin(origin, origins)) throw new HttpError('forbidden');
    const body = (await readJson(req, 1024)) as { user?: unknown };
    const user = DEMO_USERS.find((u) => u.sub === body?.user);
    if (!user) throw new HttpError('not_found');
    const token = await signToken({ ...o.dev, sub: user.sub, perms: user.perms, ttlSec: 15 * 60 });
    json(res, 200, { token, expiresIn: 900 });
  }

  async function metrics(req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
    const bearer = bearerFromHeader(req);
    // Compared as digests, in constant time: no timing oracle on the token's prefix.
    const allowed = LOOPBACK.has(ip) || (metricsDigest !== undefined && bearer !== undefined && timingSafeEqual(sha256(bearer), metricsDigest));
    if (!allowed) throw new HttpError('forbidden');
    send(res, 200, await guard.registry.metrics(), guard.registry.contentType, { 'Cache-Control': 'no-store' });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req, trustProxy);
    // A trusted proxy forwarded an address that does not parse: refuse rather than guess.
    if (ip === undefined) throw new HttpError('invalid_message', 400);
    // Every route, the page and /healthz included: a DNS-rebinding page must not read any of them.
    const hostStatus = host(req);
    if (hostStatus !== undefined) throw new HttpError(hostStatus === 400 ? 'invalid_message' : 'forbidden', hostStatus);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      throw new HttpError('invalid_message', 400); // e.g. `GET //[ HTTP/1.1`
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      const file = o.files.get(path);
      if (file) {
        chargeStatic(ip); // a 304 too: the request is the cost, not the body
        if (req.headers['if-none-match'] === file.etag) return void res.writeHead(304, { ETag: file.etag }).end();
        // For HEAD, Node drops the body and keeps the real Content-Length.
        return send(res, 200, file.body, file.type, { ETag: file.etag, 'Cache-Control': 'no-cache' });
      }
      if (path === '/healthz') {
        const h = await o.health();
        const ok = h.store && h.broker;
        return json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', ...h, connections: guard.connections, ...o.hub.stats() });
      }
      if (path === '/metrics') return metrics(req, res, ip);
      if (path === '/api/info') {
        chargeStatic(ip);
        return json(res, 200, { wsPath: guard.options.path, devMode: o.dev !== undefined, demoUsers: o.dev ? DEMO_USERS.map(({ sub, description }) => ({ sub, description })) : [] });
      }
    }
    if (method === 'POST') {
      if (path === '/api/tickets') return guard.ticketHandler(req, res);
      if (path === '/api/dev/token') return devToken(req, res, ip);
      if (path === '/api/revocations') return revoke(req, res, ip);
      const m = PUBLISH_ROUTE.exec(path);
      if (m) return publish(req, res, m[1]!, ip);
    }
    // A GET of a path that does not exist costs the same as a file (a scan of guessed paths is a flood too).
    if (method === 'GET' || method === 'HEAD') chargeStatic(ip);
    throw new HttpError('not_found');
  }

  return (req, res) => {
    headers(req, res, () => {
      route(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        const e =
          err instanceof HttpError
            ? err
            : err instanceof WsguardError
              ? new HttpError(err.code, err.status, err.code === 'unavailable' ? { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SEC) } : {})
              : new HttpError('internal');
        if (e.code === 'internal') guard.logger.error({ err: (err as Error)?.message }, 'http handler failed');
        json(res, e.status, { error: { code: e.code, message: errorInfo(e.code).message, ...(e.field ? { field: e.field } : {}) } }, e.headers);
      });
    });
  };
}
