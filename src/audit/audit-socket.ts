/**
 * Ordinary connections through `ws`, recorded for the passive checks. Socket.IO targets get
 * the Engine.IO v4 framing done here (open packet, CONNECT with auth, ping → pong), so
 * checks send and read application packets either way.
 */
import WebSocket from 'ws';
import type { ConnectionMeter } from './bounds.js';
import type { AuditSocket, ConnectResult, TrafficRecorder } from './types.js';
import type { ConcreteRequest } from './request-variant.js';
import type { SentFrame } from './inputs.js';
import { connectPacket, eventPacket } from './socketio.js';

export interface OpenOptions {
  timeoutMs: number;
  signal: AbortSignal;
  recorder: TrafficRecorder;
  checkId: string;
  socketIo: boolean;
  /** The Socket.IO CONNECT auth payload (where Socket.IO clients put their token). */
  socketIoAuth?: Record<string, unknown>;
  /** Socket.IO namespace to CONNECT to and emit on (default `/`). */
  socketIoNamespace?: string;
  /** Answer neither protocol pings nor Engine.IO pings (SESSION-03: the server's heartbeat gets no client traffic back). */
  noAutoPong?: boolean;
  /** Byte limits (bounds.ts): the socket is dropped when the target sends more. */
  meter?: ConnectionMeter;
  /** Notes each message before it is sent (the liveness watch names the input that preceded a crash). */
  noteInput?: (frame: SentFrame, answered: () => boolean) => void;
}

const MAX_BODY = 16 * 1024;
/** What one kept message costs beyond its bytes, for the byte limits. */
const MESSAGE_OVERHEAD = 256;

/** The target broke the WebSocket protocol and our client dropped the connection (a check then errs, never passes). */
export class TargetProtocolError extends Error {}

class RecordedSocket implements AuditSocket {
  readonly messages: string[] = [];
  closed: { code: number; reason: string } | null = null;
  /** Set when the target crossed a byte limit and the socket was dropped. */
  limitError: string | null = null;
  /** Set when the target sent a frame our client had to refuse (RSV bits, opcode, a masked frame…). */
  protocolError: string | null = null;
  private waiters = new Set<() => void>();
  private readCursor = 0;
  /** Messages and closes received: "did the target answer what was sent?" */
  private received = 0;
  /** Engine.IO pings received (not kept in messages: heartbeat, not application data). */
  engineIoPings = 0;
  /** Next Socket.IO ack id. */
  private ackId = 0;

  constructor(readonly ws: WebSocket, readonly upgradeHeaders: Record<string, string | string[] | undefined>, private readonly o: OpenOptions) {
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const over = o.meter?.take(buf.length + MESSAGE_OVERHEAD);
      if (over) { this.limitError = over.message; ws.terminate(); return; }
      this.received++;
      const text = isBinary ? buf.toString('latin1') : buf.toString('utf8');
      o.recorder.record({ checkId: o.checkId, kind: 'frame', direction: 'in', text, bytes: isBinary ? buf : undefined, opcode: isBinary ? 2 : 1 });
      if (o.socketIo && text === '2') {
        if (!o.noAutoPong) this.ws.send('3');
        this.engineIoPings++;
        this.wake();
        return;
      }
      this.messages.push(text);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      // 1006: no close frame (a dropped connection, or our own terminate) is no answer.
      if (code !== 1006) this.received++;
      this.closed = { code, reason: reason.toString('utf8') };
      o.recorder.record({ checkId: o.checkId, kind: 'close', direction: 'in', text: this.closed.reason, bytes: reason, closeCode: code });
      this.wake();
    });
    ws.on('error', (e: Error & { code?: string }) => {
      // The client dropped the connection, not the server: a check must not read that close as
      // the server refusing or closing (a hostile target would turn findings into passes).
      if (e.code?.startsWith('WS_ERR_') && e.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.protocolError ??= `${e.code}: ${e.message}`;
      this.wake();
    });
  }

  /** Throws when the connection ended because the target broke the protocol (see protocolError). */
  private orTargetFault(): void {
    if (this.protocolError) throw new TargetProtocolError(`the target sent a frame the auditor had to refuse (${this.protocolError}); the connection was dropped by the auditor, so this check cannot judge the server's behaviour`);
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.waiters.delete(done); this.o.signal.removeEventListener('abort', done); resolve(); };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      this.o.signal.addEventListener('abort', done, { once: true });
    });
  }

  send(message: string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // An event the operator wrote as a JSON array goes out as a Socket.IO EVENT; anything else
    // (a packet written out in full, the checks' malformed ones) as it is.
    const event = this.o.socketIo && typeof message === 'string' ? eventPacket(message, this.o.socketIoNamespace ?? '/', this.ackId + 1) : null;
    if (event) this.ackId++;
    const data = event ?? message;
    const text = typeof data === 'string';
    const seen = this.received;
    // Noted before it goes out: a message that kills the target must still be on record.
    this.o.noteInput?.({ fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: text ? 1 : 2, masked: true, length: text ? Buffer.byteLength(data) : data.length, prefix: text ? Buffer.from(data.slice(0, 64)).subarray(0, 64) : data.subarray(0, 64) }, () => this.received > seen);
    this.o.recorder.record({ checkId: this.o.checkId, kind: 'frame', direction: 'out', text: data.toString() });
    this.ws.send(data);
  }

  async waitFor(pred: (m: string) => boolean, timeoutMs: number, from = 0): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.messages.length; i++) {
        const m = this.messages[i] as string;
        if (pred(m)) return m;
      }
      const left = deadline - Date.now();
      if (this.closed) this.orTargetFault();
      if (this.closed || left <= 0 || this.o.signal.aborted) return null;
      await this.waitChange(left);
    }
  }

  async nextMessage(timeoutMs = 3000): Promise<string | null> {
    const start = this.readCursor;
    const m = await this.waitFor(() => true, timeoutMs, start);
    if (m !== null) this.readCursor = this.messages.indexOf(m, start) + 1;
    return m;
  }

  async collect(ms: number): Promise<string[]> {
    const from = this.messages.length;
    await this.waitFor(() => false, ms, from);
    return this.messages.slice(from);
  }

  async waitClose(timeoutMs: number): Promise<{ code: number; reason: string } | null> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline && !this.o.signal.aborted) await this.waitChange(deadline - Date.now());
    if (this.closed) this.orTargetFault();
    return this.closed;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.terminate();
  }
}

export function openAuditSocket(req: ConcreteRequest, o: OpenOptions): Promise<ConnectResult> {
  return new Promise((resolve) => {
    // An abort listener on a signal that already fired never runs: no socket is opened at all.
    if (o.signal.aborted) return resolve({ ok: false, error: 'aborted' });
    const ws = new WebSocket(req.url, req.protocols, {
      headers: Object.fromEntries(req.headers),
      handshakeTimeout: o.timeoutMs,
      rejectUnauthorized: false,
      perMessageDeflate: false,
      followRedirects: false,
      autoPong: !o.noAutoPong,
      maxPayload: 16 * 1024 * 1024,
    });
    let settled = false;
    const finish = (r: ConnectResult) => { if (!settled) { settled = true; clearTimeout(deadline); o.signal.removeEventListener('abort', onAbort); resolve(r); } };
    const onAbort = () => { ws.terminate(); finish({ ok: false, error: 'aborted' }); };
    o.signal.addEventListener('abort', onAbort, { once: true });
    // ws's handshakeTimeout is an idle timeout: a target dripping one byte at a time resets it
    // forever. This is the whole handshake's deadline.
    const deadline = setTimeout(() => { ws.terminate(); finish({ ok: false, error: `handshake not complete within ${o.timeoutMs} ms` }); }, o.timeoutMs);
    deadline.unref();
    let upgradeHeaders: Record<string, string | string[] | undefined> = {};
    ws.on('upgrade', (res) => { upgradeHeaders = res.headers; });
    ws.on('unexpected-response', (request, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const body = Buffer.concat(chunks).toString('utf8');
        o.recorder.record({ checkId: o.checkId, kind: 'http', direction: 'in', text: body, status: res.statusCode });
        // A refusal with keep-alive (the handshake's "Connection: Upgrade" counts as keep-alive to
        // Node) leaves the request marked destroyed and its socket open, freed to no agent: the
        // process would live until the target closes it (aiohttp: 75 s). Destroy the socket itself.
        request.destroy();
        request.socket?.destroy();
        finish({ ok: false, status: res.statusCode, body, headers: res.headers });
      };
      res.on('data', (c: Buffer) => { if (size < MAX_BODY) { chunks.push(c); size += c.length; } if (size >= MAX_BODY) done(); });
      res.on('end', done);
      res.on('error', done);
      setTimeout(done, 1000).unref();
    });
    // Node's AggregateError (a host name with several addresses, all refused) has an empty message:
    // fall back to its code, so a skip reason never reads "connection failed ()".
    ws.on('error', (e) => finish({ ok: false, error: e.message || (e as NodeJS.ErrnoException).code || e.name || 'connection error' }));
    ws.on('open', () => {
      clearTimeout(deadline);
      const socket = new RecordedSocket(ws, upgradeHeaders, o);
      // Open at once when there is no exchange to make: a frame that arrived with the 101 and that
      // ws refuses must reach the check as the target's doing, not fail the connection.
      if (!o.socketIo && !req.firstMessage) return finish({ ok: true, socket });
      // A target that breaks the protocol during the Engine.IO/auth exchange fails this connection,
      // never the audit (a rejection here had no one to catch it and ended the process).
      afterOpen(socket, req, o).then(finish, (e: unknown) => { socket.close(); finish({ ok: false, error: (e as Error).message }); });
    });
  });
}

/** The exchange between the 101 and the first application message: Engine.IO open, CONNECT, first-message auth. */
async function afterOpen(socket: RecordedSocket, req: ConcreteRequest, o: OpenOptions): Promise<ConnectResult> {
  if (o.socketIo) {
    // Engine.IO open packet, then Socket.IO CONNECT to the main namespace.
    const open = await socket.waitFor((m) => m.startsWith('0'), o.timeoutMs);
    if (open === null) { socket.close(); return { ok: false, error: 'no Engine.IO open packet' }; }
    socket.send(connectPacket(o.socketIoNamespace ?? '/', o.socketIoAuth));
    // Socket.IO 4 closes a connection whose first event arrives before it has answered the
    // CONNECT: every check waits for the answer (40 accepted, 44 refused) before it sends anything.
    await socket.waitFor((m) => /^4[04]/.test(m), o.timeoutMs);
  }
  if (req.firstMessage) {
    socket.send(req.firstMessage);
    // Let first-message auth settle (ack or close) before the check sends anything else.
    await socket.waitFor(() => true, Math.min(1000, o.timeoutMs), socket.messages.length);
  }
  return { ok: true, socket };
}
