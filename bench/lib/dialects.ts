/**
 * How a load generator speaks to each system over the same raw client (lib/raw.ts). Socket.IO is
 * spoken at the Engine.IO v4 / Socket.IO v5 packet level, so every system gets the same
 * lightweight client and the load generator is not the bottleneck of one system only.
 */
import http from 'node:http';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { upgrade, type RawConn } from './raw.js';
import { REPLAY_CHANNEL, type SystemId, type Target } from './types.js';

export interface ConnectOptions {
  readonly localAddress: string;
  readonly token: string;
  /** Keep-alive agent for `POST /api/tickets` (wsguard-ticket). */
  readonly agent?: http.Agent;
}

export interface Dialect {
  /** Resolves with a connection the system considers authenticated and ready. */
  connect(target: Target, o: ConnectOptions): Promise<RawConn>;
  /** The inbound scenario's message number `i`, and whether `msg` is its successful answer. */
  note(i: number): string;
  isNoteReply(msg: string): boolean;
  /** A subscribe request, and whether `msg` is its answer. */
  subscribe(channel: string, since?: number): string;
  isSubscribed(msg: string): boolean;
  /** A publish request for the fan-out scenario (answered by exactly one message). */
  publish(channel: string, path: string): string;
  /** Asks for the whole replay channel from seq 0. */
  replay(): string;
}

const NOTE = { channel: 'files:acme', text: 'hello from the benchmark' };
const FILE = { size: 1, mime: 'text/plain', sha256: 'a'.repeat(64) };

function origin(t: Target): string {
  return `http://127.0.0.1:${t.port}`;
}

function wsguardMessage(type: string, payload: object, id?: string): string {
  return JSON.stringify(id === undefined ? { type, payload } : { type, id, payload });
}

const wsguardBase: Omit<Dialect, 'connect'> = {
  note: (i) => wsguardMessage('bench.note', NOTE, `n${i}`),
  isNoteReply: (m) => m.startsWith('{"type":"ack"'),
  subscribe: (channel, since) => wsguardMessage('subscribe', since === undefined ? { channel } : { channel, since }, 's'),
  isSubscribed: (m) => m.startsWith('{"type":"subscribed"'),
  publish: (channel, path) => wsguardMessage('file_upload', { channel, path, ...FILE }, 'p'),
  replay: () => wsguardMessage('subscribe', { channel: REPLAY_CHANNEL, since: 0 }, 'r'),
};

const wsguard: Dialect = {
  ...wsguardBase,
  connect: (t, o) =>
    upgrade({ port: t.port, path: '/ws', localAddress: o.localAddress, headers: { Authorization: `Bearer ${o.token}`, Origin: origin(t), 'Sec-WebSocket-Protocol': SUBPROTOCOL } }),
};

/** Ticket auth: `POST /api/tickets` with the JWT, then the handshake with `?ticket=`. */
function fetchTicket(t: Target, o: ConnectOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: t.port, path: '/api/tickets', method: 'POST', localAddress: o.localAddress, agent: o.agent, headers: { Authorization: `Bearer ${o.token}`, Origin: origin(t), 'Content-Length': 0 } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { ticket: string }).ticket) : reject(new Error(`tickets: HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const wsguardTicket: Dialect = {
  ...wsguardBase,
  connect: async (t, o) => {
    const ticket = await fetchTicket(t, o);
    return upgrade({ port: t.port, path: `/ws?ticket=${encodeURIComponent(ticket)}`, localAddress: o.localAddress, headers: { Origin: origin(t), 'Sec-WebSocket-Protocol': SUBPROTOCOL } });
  },
};

const ws: Dialect = {
  connect: (t, o) => upgrade({ port: t.port, path: '/', localAddress: o.localAddress, headers: {} }),
  // Same bytes as wsguard's message, echoed back.
  note: (i) => wsguardMessage('bench.note', NOTE, `n${i}`),
  isNoteReply: (m) => m.startsWith('{"type":"bench.note"'),
  subscribe: () => 'sub',
  isSubscribed: (m) => m === 'ok',
  publish: (channel, path) => JSON.stringify({ channel, path, ...FILE }),
  replay: () => 'replay',
};

/**
 * Socket.IO over a websocket-only Engine.IO session: `0{...}` open, `40{auth}` connect answered by
 * `40{sid}` (or `44` refused), `42[...]`/`42<id>[...]` events, `43<id>[...]` acks, `2`→`3` ping/pong.
 */
const socketIo: Dialect = {
  connect: async (t, o) => {
    const conn = await upgrade({ port: t.port, path: '/socket.io/?EIO=4&transport=websocket', localAddress: o.localAddress, headers: {} });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket.io: no connect answer')), 30_000);
      conn.onFrame = (_op, payload) => {
        const m = payload.toString();
        if (m.startsWith('0')) return conn.send(`40${JSON.stringify({ token: o.token })}`);
        clearTimeout(timer);
        if (m.startsWith('40')) resolve();
        else reject(new Error(`socket.io refused: ${m.slice(0, 80)}`));
      };
    }).catch((e: unknown) => {
      conn.destroy();
      throw e;
    });
    conn.onFrame = () => undefined;
    return conn;
  },
  note: (i) => `42${i}${JSON.stringify(['note', NOTE])}`,
  isNoteReply: (m) => m.startsWith('43'),
  subscribe: (channel) => `420${JSON.stringify(['subscribe', channel])}`,
  isSubscribed: (m) => m.startsWith('430'),
  publish: (channel, path) => `421${JSON.stringify(['publish', { channel, path, ...FILE }])}`,
  replay: () => '42["replay"]',
};

/** Engine.IO's ping is a one-byte text frame '2'; load generators answer it with '3'. */
export const ENGINE_IO_PING = 0x32;

export const DIALECTS: Record<SystemId, Dialect> = {
  wsguard,
  'wsguard-ticket': wsguardTicket,
  ws,
  'socket.io': socketIo,
  'socket.io-streams': socketIo,
  // The floor speaks the `ws` loop's messages.
  floor: ws,
};
