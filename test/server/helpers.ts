/**
 * Shared test helpers: a guard on a port-0 http server, token minting, a `ws` client that reports
 * refusal statuses, and a raw TCP client with a frame writer/reader for attacks `ws` will not send.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createGuard, type Guard, type GuardOptions, type SecurityEvent } from '../../src/server/index.js';
import type { ServerMessage } from '../../src/protocol/index.js';

export const ORIGIN = 'http://app.test';
export const SECRET = randomBytes(32).toString('base64url');

export interface Harness {
  readonly guard: Guard;
  readonly server: Server;
  readonly port: number;
  /** ws://127.0.0.1:PORT/ws */
  readonly url: string;
  readonly events: SecurityEvent[];
  /** Every log line the guard wrote. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** Starts a guard (secret SECRET, origin ORIGIN) on 127.0.0.1:0, with POST /api/tickets routed. */
export async function startGuard(overrides: Partial<Omit<GuardOptions, 'server'>> = {}): Promise<Harness> {
  const server = createServer((req, res) => {
    if (req.url === '/api/tickets') return guard.ticketHandler(req, res);
    res.writeHead(404).end();
  });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const guard = createGuard({
    server,
    origins: [ORIGIN],
    auth: { jwt: { secret: SECRET } },
    logger: pino({ level: 'debug' }, stream),
    ...overrides,
  });
  const events: SecurityEvent[] = [];
  guard.on('security', (e) => events.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    guard,
    server,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    events,
    logs,
    async close() {
      await guard.close({ deadlineMs: 500 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Claims {
  sub?: string;
  exp?: number | null;
  /** `null` omits it. */
  iat?: number | null;
  jti?: string;
  perms?: { subscribe?: string[]; publish?: string[] };
  iss?: string;
  aud?: string;
}

/** HS256 JWT for SECRET (or `secret`); exp defaults to +1 h, `exp: null` omits it. */
export async function mintToken(claims: Claims = {}, secret: string = SECRET): Promise<string> {
  const { sub = 'user-1', exp, iat, jti, perms = { subscribe: ['files:acme'], publish: ['files:acme'] }, iss, aud } = claims;
  const jwt = new SignJWT({ perms }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub);
  if (exp !== null) jwt.setExpirationTime(exp ?? Math.floor(Date.now() / 1000) + 3600);
  if (iat !== null) jwt.setIssuedAt(iat ?? Math.floor(Date.now() / 1000));
  if (jti) jwt.setJti(jti);
  if (iss) jwt.setIssuer(iss);
  if (aud) jwt.setAudience(aud);
  return jwt.sign(new TextEncoder().encode(secret));
}

export interface ConnectOptions {
  token?: string;
  origin?: string | null;
  protocols?: string[];
  headers?: Record<string, string>;
  path?: string;
}

function clientFor(h: Pick<Harness, 'port'>, o: ConnectOptions): WebSocket {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  return new WebSocket(`ws://127.0.0.1:${h.port}${o.path ?? '/ws'}`, o.protocols ?? ['wsguard.v1'], {
    headers,
    ...(o.origin !== null ? { origin: o.origin ?? ORIGIN } : {}),
    perMessageDeflate: false,
  });
}

/** Opens a client; resolves with it once open, rejects with the refusal status otherwise. */
export function connect(h: Pick<Harness, 'port'>, o: ConnectOptions = {}): Promise<WebSocket> {
  const ws = clientFor(h, o);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, headers: res.headers }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** 101 when the handshake succeeds (the socket is closed right away), else the refusal status. */
export async function handshakeStatus(h: Pick<Harness, 'port'>, o: ConnectOptions = {}): Promise<number> {
  try {
    const ws = await connect(h, o);
    ws.terminate();
    return 101;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === undefined) throw err;
    return status;
  }
}

/**
 * The helpers' deadlines run on real time even in a test that mocks timers (node:test mock.timers
 * replaces the global setTimeout): a mocked deadline would never fire, and a failing test would hang.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export function waitClose(ws: WebSocket, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  if (ws.readyState === ws.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve, reject) => {
    const t = realSetTimeout(() => reject(new Error('no close within deadline')), timeoutMs);
    ws.once('close', (code, reason) => {
      realClearTimeout(t);
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
}

/** Collects every message a client receives. */
export function collect(ws: WebSocket): ServerMessage[] {
  const out: ServerMessage[] = [];
  ws.on('message', (d) => out.push(JSON.parse(d.toString()) as ServerMessage));
  return out;
}

export function nextMessage(ws: WebSocket, timeoutMs = 5_000): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    const t = realSetTimeout(() => reject(new Error('no message within deadline')), timeoutMs);
    ws.once('message', (d) => {
      realClearTimeout(t);
      resolve(JSON.parse(d.toString()) as ServerMessage);
    });
  });
}

/** Sends one envelope and returns the next message. */
export async function request(ws: WebSocket, message: unknown): Promise<ServerMessage> {
  const reply = nextMessage(ws);
  ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  return reply;
}

/** Polls `predicate` every 20 ms until true; throws after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closes a client and waits until it is closed. */
export async function closeClient(ws: WebSocket): Promise<void> {
  const closed = waitClose(ws);
  ws.close();
  await closed;
}

/**
 * Mocks the clock the guard's timers read (the global setTimeout, and setInterval when asked, with
 * Date.now) for this test: it moves time with the returned advance() instead of sleeping. The
 * helpers' own deadlines stay real. Call it before the guard exists when its setInterval must be
 * mocked (heartbeat), else before the connections whose timers it should drive. A test ends with its
 * clients closed (closeClient, or a close it awaited): ws clears its close timer when the socket is
 * gone, and a timer of this test cleared under the next test's mock would take one of that test's.
 */
export function mockClock(t: TestContext, apis: Array<'setTimeout' | 'setInterval'> = ['setTimeout']): (ms: number, step?: number) => void {
  t.mock.timers.enable({ apis: [...apis, 'Date'], now: Date.now() });
  // In steps: each timer fires near its due time, so Date.now() in its callback reads about then.
  return (ms, step = 100) => {
    for (let done = 0; done < ms; done += step) t.mock.timers.tick(Math.min(step, ms - done));
  };
}

// ---------- raw TCP client ----------

export interface RawClient {
  readonly socket: Socket;
  readonly status: number;
  /** The response head. */
  readonly head: string;
  /** Server frames parsed so far. */
  readonly frames: { opcode: number; payload: Buffer }[];
  /** Resolves when the TCP connection ends. */
  readonly ended: Promise<void>;
  send(opcode: number, payload: Buffer | string, options?: { fin?: boolean; mask?: boolean }): void;
  /** The close frame's code, once one arrived. */
  closeCode(): number | undefined;
}

/** Encodes one client frame (masked unless told otherwise). */
export function encodeFrame(opcode: number, payload: Buffer, { fin = true, mask = true } = {}): Buffer {
  const len = payload.length;
  const header: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) header.push(maskBit | len);
  else if (len < 65536) header.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    header.push(maskBit | 127, 0, 0, 0, 0);
    header.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(header), payload]);
  const key = randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ key[i % 4]!;
  return Buffer.concat([Buffer.from(header), key, body]);
}

/**
 * Opens a TCP connection, writes a handshake (Host 127.0.0.1:PORT, Origin ORIGIN, wsguard.v1, plus
 * `headers`; a header set to '' is omitted), and resolves after the response head.
 * With `read: false` the socket is paused after the head: the client stops reading.
 */
export function rawConnect(port: number, o: { path?: string; headers?: Record<string, string>; read?: boolean } = {}): Promise<RawClient> {
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Protocol': 'wsguard.v1',
    Origin: ORIGIN,
    ...o.headers,
  };
  const lines = Object.entries(headers).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  const socket = netConnect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const frames: { opcode: number; payload: Buffer }[] = [];
    let headDone: { status: number; head: string } | undefined;
    const parseFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        frames.push({ opcode, payload: buf.subarray(off, off + len) });
        buf = buf.subarray(off + len);
      }
    };
    const client = (): RawClient => ({
      socket,
      status: headDone!.status,
      head: headDone!.head,
      frames,
      ended,
      send(opcode, payload, options) {
        socket.write(encodeFrame(opcode, typeof payload === 'string' ? Buffer.from(payload) : payload, options));
      },
      closeCode() {
        const f = frames.find((x) => x.opcode === 8);
        return f && f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
      },
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!headDone) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        headDone = { status: Number(head.split(' ')[1]), head };
        if (o.read === false) socket.pause();
        resolve(client());
      }
      parseFrames();
    });
    socket.once('close', () => {
      if (!headDone) reject(new Error('closed before a response'));
    });
    socket.write(`GET ${o.path ?? '/ws'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}
