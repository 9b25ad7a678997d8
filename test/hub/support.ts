/** Starts a real hub (SQLite file in a temp dir) on 127.0.0.1:0 and speaks protocol v1 to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import WebSocket from 'ws';
import { startHub, type RunningHub, type StartOptions } from '../../src/hub/app.js';
import { signToken } from '../../src/auth/sign.js';
import type { HubConfig } from '../../src/config/index.js';
import type { Permissions } from '../../src/auth/types.js';
import { SUBPROTOCOL, type ServerMessage } from '../../src/protocol/index.js';

export const SECRET = randomBytes(32).toString('base64url');

export function hubConfig(dir: string, overrides: Partial<HubConfig> = {}): HubConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    allowedOrigins: 'self',
    allowedHosts: 'self',
    jwt: { secret: SECRET },
    devMode: false,
    db: join(dir, 'events.db'),
    trustProxy: [],
    retention: { maxEvents: 0, maxAgeMs: 0 },
    maxConnections: 1000,
    logLevel: 'silent',
    ...overrides,
  };
}

export interface TestHub extends RunningHub {
  readonly dir: string;
}

export async function startTestHub(overrides: Partial<HubConfig> = {}, opts: StartOptions & { dir?: string } = {}): Promise<TestHub> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'wsguard-hub-'));
  const hub = await startHub(hubConfig(dir, overrides), { logger: pino({ level: 'silent' }), ...opts });
  return Object.assign(hub, { dir });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const ALICE: Permissions = { subscribe: ['files:acme', 'files:acme/*'], publish: ['files:acme', 'files:acme/*'] };
export const BOB: Permissions = { subscribe: ['files:globex'], publish: ['files:globex'] };
export const READER: Permissions = { subscribe: ['files:acme'], publish: [] };

export function token(sub: string, perms: Permissions, ttlSec = 600): Promise<string> {
  return signToken({ secret: SECRET, sub, perms, ttlSec });
}

export function upload(channel: string, path: string, size = 1) {
  return { channel, path, size, mime: 'application/pdf', sha256: 'a'.repeat(64) };
}

/** A protocol-v1 test client over `ws` with a message inbox and request helpers. */
export class TestClient {
  readonly inbox: ServerMessage[] = [];
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];
  private next = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(hub: RunningHub, bearer: string): Promise<TestClient> {
    const ws = new WebSocket(hub.wsUrl, [SUBPROTOCOL], { headers: { Authorization: `Bearer ${bearer}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new TestClient(ws);
  }

  /** Waits until `pred` holds for the inbox (bounded). */
  async until(pred: (inbox: ServerMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.inbox)) {
      if (Date.now() > deadline) throw new Error(`timed out; inbox: ${JSON.stringify(this.inbox.slice(-5))}`);
      if (this.closeCode !== undefined) throw new Error(`closed with ${this.closeCode}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends a request and resolves with the answer carrying its id (ack, error, subscribed...). */
  async request(type: string, payload: object): Promise<ServerMessage> {
    const id = `t-${this.next++}`;
    this.ws.send(JSON.stringify({ type, id, payload }));
    await this.until((box) => box.some((m) => 'id' in m && m.id === id));
    return this.inbox.find((m) => 'id' in m && m.id === id)!;
  }

  events(channel?: string): number[] {
    return this.inbox.flatMap((m) => (m.type === 'event' && (!channel || m.payload.channel === channel) ? [m.payload.seq] : []));
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * Counts, per server-side socket, the writes that carry event frames (or `marker`). Counted on the server's side:
 * on loopback, in one process, the client's reads merge back-to-back writes, so they cannot tell
 * one write from ten.
 */
export function countEventWrites(server: HttpServer | HttpsServer, marker = '"type":"event"'): { eventWrites: () => number[] } {
  const counts: number[] = [];
  server.on('connection', (socket: Socket) => {
    const i = counts.push(0) - 1;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    (socket as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.includes(marker)) counts[i]! += 1;
      return write(chunk, ...rest);
    };
  });
  return { eventWrites: () => [...counts] };
}
