/**
 * The hub's HTTP side: one request handler with a fixed route table. helmet sets the security
 * headers (strict CSP: scripts and styles from our own origin only, no inline code) on every answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Guard } from '../server/guard.js';
import { bearerFromHeader } from '../server/authenticator.js';
import { clientIp } from '../server/client-ip.js';
import { isAllowedOrigin } from '../server/gate/origin.js';
import type { Identity } from '../auth/types.js';
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
}

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

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new HttpError('too_large'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new HttpError('too_large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new HttpError('invalid_message')));
  });
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError('invalid_message', 415);
  const parsed = parseBoundedJson(await readBody(req, limit));
  if (!parsed.ok) throw new HttpError('invalid_message');
  return parsed.value;
}

export function createHttpApp(o: HttpAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const guard = o.guard;
  const trustProxy = new Set(o.trustProxy);
  const origins = new Set(guard.options.origins);
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

  async function authenticate(req: IncomingMessage, ip: string, route: string): Promise<Identity> {
    if (guard.authenticator.isThrottled(ip)) throw new HttpError('rate_limited', 429, { 'Retry-After': '60' });
    const token = bearerFromHeader(req);
    if (token === undefined) throw new HttpError('unauthenticated', 401, { 'WWW-Authenticate': 'Bearer' });
    try {
      return await guard.verifyToken(token);
    } catch (err) {
      // The revocation store could not answer (Redis down): 503, not a bad token or an auth failure.
      if (err instanceof WsguardError && err.code === 'unavailable') throw err;
      guard.authenticator.recordFailure(ip);
      guard.security({ kind: 'http_auth_refused', reason: 'invalid_token', ip, route });
      throw new HttpError('invalid_token', 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
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
    const allowed = LOOPBACK.has(ip) || (o.metricsToken !== undefined && bearer === o.metricsToken);
    if (!allowed) throw new HttpError('forbidden');
    send(res, 200, await guard.registry.metrics(), guard.registry.contentType, { 'Cache-Control': 'no-store' });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req, trustProxy);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      const file = o.files.get(path);
      if (file) {
        if (req.headers['if-none-match'] === file.etag) return void res.writeHead(304, { ETag: file.etag }).end();
        return send(res, 200, method === 'HEAD' ? '' : file.body, file.type, { ETag: file.etag, 'Cache-Control': 'no-cache' });
      }
      if (path === '/healthz') {
        const h = await o.health();
        const ok = h.store && h.broker;
        return json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', ...h, connections: guard.connections, ...o.hub.stats() });
      }
      if (path === '/metrics') return metrics(req, res, ip);
      if (path === '/api/info') {
        return json(res, 200, { wsPath: guard.options.path, devMode: o.dev !== undefined, demoUsers: o.dev ? DEMO_USERS.map(({ sub, description }) => ({ sub, description })) : [] });
      }
    }
    if (method === 'POST') {
      if (path === '/api/tickets') return guard.ticketHandler(req, res);
      if (path === '/api/dev/token') return devToken(req, res, ip);
      const m = PUBLISH_ROUTE.exec(path);
      if (m) return publish(req, res, m[1]!, ip);
    }
    throw new HttpError('not_found');
  }

  return (req, res) => {
    headers(req, res, () => {
      route(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        const e = err instanceof HttpError ? err : err instanceof WsguardError ? new HttpError(err.code) : new HttpError('internal');
        if (e.code === 'internal') guard.logger.error({ err: (err as Error)?.message }, 'http handler failed');
        json(res, e.status, { error: { code: e.code, message: errorInfo(e.code).message, ...(e.field ? { field: e.field } : {}) } }, e.headers);
      });
    });
  };
}
