/**
 * Socket.IO with its default settings plus the nearest equivalent of wsguard's auth: a
 * middleware verifying an HS256 JWT (jose) from the handshake's `auth.token`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { Server } from 'socket.io';
import type { ServerSpec } from '../lib/types.js';
import { REPLAY_CHANNEL } from '../lib/types.js';
import { openReplayRows } from './replay-rows.js';
import type { StartedServer } from './types.js';

type Ack = (value: unknown) => void;

export async function startSocketIo(spec: ServerSpec): Promise<StartedServer> {
  const server = http.createServer();
  const io = new Server(server);
  const key = new TextEncoder().encode(spec.secret);
  const replay = spec.replayDb ? openReplayRows(spec.replayDb, REPLAY_CHANNEL) : undefined;
  let seq = 0;

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string') return next(new Error('unauthorized'));
    jwtVerify(token, key, { algorithms: ['HS256'] }).then(
      ({ payload }) => {
        socket.data.sub = payload.sub;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  io.on('connection', (socket) => {
    socket.on('note', (_p: unknown, ack: Ack) => ack({}));
    socket.on('subscribe', (channel: string, ack: Ack) => {
      void socket.join(channel);
      ack({});
    });
    socket.on('publish', (p: { channel: string; path: string; size: number; mime: string; sha256: string }, ack: Ack) => {
      const event = { channel: p.channel, seq: ++seq, kind: 'file_upload', path: p.path, size: p.size, mime: p.mime, sha256: p.sha256, by: String(socket.data.sub), at: new Date().toISOString() };
      io.to(p.channel).emit('event', event);
      ack({ seq: event.seq });
    });
    socket.on('replay', () => {
      if (!replay) return;
      for (const row of replay.rows()) socket.emit('event', row);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    notes: [],
    close: async () => {
      io.disconnectSockets(true);
      await io.close();
      replay?.close();
    },
  };
}
