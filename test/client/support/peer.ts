/**
 * A minimal protocol-v1 server for the client tests: `ws` on an http server at 127.0.0.1, an in-memory
 * per-channel log (gap-free seq, replay with `since`, `history_gone` below a retention floor), acks and
 * error frames. The log lives outside the sockets, so kill() + start() is a crash and restart that loses
 * nothing acknowledged, on the same port. It is not the hub: no validation, no ACL beyond `accept`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FileEvent, FileEventKind } from '../../../src/protocol/messages.js';

export interface Handshake {
  url: string;
  protocols: string[];
  token?: string;
  ticket?: string;
}

export interface Frame {
  type: string;
  id?: string;
  payload: Record<string, unknown>;
}

interface ChannelLog {
  events: FileEvent[];
  /** Lowest seq still retained; asking for anything older answers history_gone. */
  retainFrom: number;
  head: number;
}

export class Peer {
  port = 0;
  readonly handshakes: Handshake[] = [];
  /** Every frame received from any client, in order. */
  readonly received: Frame[] = [];
  /** Return false to refuse the handshake with HTTP 401 (what the hub does with a bad token). */
  accept: (h: Handshake) => boolean = () => true;
  /** Answer the next publish with this error code instead of storing it. */
  failNextPublish: string | undefined;
  /** Answer auth.refresh with invalid_token. */
  refuseRefresh = false;
  /** Close every new connection right away with this code (credentials refused after the upgrade). */
  closeOnConnect: { code: number; reason: string } | undefined;
  /** Store publishes but never ack them (an ack lost with the connection). */
  swallowAcks = false;
  /** Channels whose subscribe is answered with `forbidden`. */
  readonly forbidden = new Set<string>();
  /** Channels whose next live event is not sent (to make a gap). */
  readonly dropNext = new Set<string>();

  private readonly logs = new Map<string, ChannelLog>();
  private readonly subs = new Map<WebSocket, Set<string>>();
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get connections(): number {
    return this.subs.size;
  }

  async start(): Promise<void> {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('wsguard.v1') ? 'wsguard.v1' : false) });
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bearer = protocols.find((p) => p.startsWith('wsguard.bearer.'));
      const ticket = new URL(req.url ?? '/', 'http://peer').searchParams.get('ticket');
      const h: Handshake = { url: req.url ?? '', protocols };
      if (bearer) h.token = bearer.slice('wsguard.bearer.'.length);
      if (ticket) h.ticket = ticket;
      this.handshakes.push(h);
      if (!this.accept(h)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.wss = wss;
  }

  /** Abrupt crash: every socket destroyed without a close frame, listener closed. The log survives. */
  async kill(): Promise<void> {
    for (const ws of this.subs.keys()) ws.terminate();
    this.subs.clear();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    this.wss = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Closes every client with this code and reason (a clean close frame). */
  closeAll(code: number, reason = ''): void {
    for (const ws of this.subs.keys()) ws.close(code, reason);
  }

  sendAll(frame: Frame): void {
    for (const ws of this.subs.keys()) this.send(ws, frame);
  }

  /** Server-side publish; returns the stored event. */
  append(channel: string, kind: FileEventKind, path: string, by = 'server'): FileEvent {
    const log = this.log(channel);
    log.head += 1;
    const event: FileEvent = { channel, seq: log.head, kind, path, by, at: new Date().toISOString() };
    if (kind === 'file_upload') Object.assign(event, { size: 1, mime: 'text/plain', sha256: 'a'.repeat(64) });
    log.events.push(event);
    if (this.dropNext.delete(channel)) return event;
    for (const [ws, channels] of this.subs) if (channels.has(channel)) this.send(ws, { type: 'event', payload: { ...event } });
    return event;
  }

  /** Forgets every event below `seq` (retention). */
  retainFrom(channel: string, seq: number): void {
    const log = this.log(channel);
    log.retainFrom = seq;
    log.events = log.events.filter((e) => e.seq >= seq);
  }

  head(channel: string): number {
    return this.log(channel).head;
  }

  framesOfType(type: string): Frame[] {
    return this.received.filter((f) => f.type === type);
  }

  private log(channel: string): ChannelLog {
    let log = this.logs.get(channel);
    if (!log) {
      log = { events: [], retainFrom: 1, head: 0 };
      this.logs.set(channel, log);
    }
    return log;
  }

  private send(ws: WebSocket, frame: Frame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  private onConnection(ws: WebSocket): void {
    const channels = new Set<string>();
    this.subs.set(ws, channels);
    ws.on('close', () => this.subs.delete(ws));
    if (this.closeOnConnect) {
      ws.close(this.closeOnConnect.code, this.closeOnConnect.reason);
      return;
    }
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.received.push(frame);
      this.handle(ws, channels, frame);
    });
  }

  private handle(ws: WebSocket, channels: Set<string>, { type, id, payload }: Frame): void {
    const reply = (t: string, p: Record<string, unknown>): void => this.send(ws, id === undefined ? { type: t, payload: p } : { type: t, id, payload: p });
    const channel = String(payload.channel);
    switch (type) {
      case 'subscribe': {
        const log = this.log(channel);
        const since = typeof payload.since === 'number' ? payload.since : undefined;
        if (this.forbidden.has(channel)) {
          reply('error', { code: 'forbidden', message: 'Not allowed.' });
          return;
        }
        if (since !== undefined && since + 1 < log.retainFrom) {
          reply('error', { code: 'history_gone', message: 'Requested history is older than retention; resync.' });
          return;
        }
        // Synchronous replay then registration: nothing can be published in between (no hand-over gap).
        reply('subscribed', { channel, seq: log.head });
        for (const e of log.events) if (e.seq > (since ?? log.head)) this.send(ws, { type: 'event', payload: { ...e } });
        channels.add(channel);
        return;
      }
      case 'unsubscribe':
        channels.delete(channel);
        reply('unsubscribed', { channel });
        return;
      case 'file_upload':
      case 'file_delete': {
        if (this.failNextPublish !== undefined) {
          reply('error', { code: this.failNextPublish, message: 'Not allowed.' });
          this.failNextPublish = undefined;
          return;
        }
        const { seq } = this.append(channel, type, String(payload.path), 'peer-client');
        if (!this.swallowAcks) reply('ack', { seq });
        return;
      }
      case 'auth.refresh':
        if (this.refuseRefresh) reply('error', { code: 'invalid_token', message: 'The token is invalid, expired, or for another subject.' });
        else reply('ack', {});
        return;
      case 'ping':
        reply('pong', {});
        return;
      default:
        reply('error', { code: 'unknown_type', message: 'Unknown message type.' });
    }
  }
}
