/**
 * Socket.IO with its default settings plus the nearest equivalent of wsguard's auth: a
 * middleware verifying an HS256 JWT (jose) from the handshake's `auth.token`. In the cluster
 * scenario a node on Redis: `@socket.io/redis-adapter` (pub/sub, system `socket.io`) or
 * `@socket.io/redis-streams-adapter` (system `socket.io-streams`), each with its documented
 * ioredis set-up and the key prefix the harness gives.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter as pubSubAdapter } from '@socket.io/redis-adapter';
import { createAdapter as streamsAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
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
  const redisClients: Redis[] = [];
  if (spec.redis) {
    const client = () => {
      const r = new Redis(spec.redis!.url, { connectionName: `bench-${spec.system}` });
      r.on('error', () => undefined); // reconnects by itself; the cluster scenario cuts links on purpose
      redisClients.push(r);
      return r;
    };
    if (spec.system === 'socket.io-streams') {
      io.adapter(streamsAdapter(client(), { streamName: `${spec.redis.prefix}stream`, channelPrefix: `${spec.redis.prefix}sio` }));
    } else {
      const pub = client();
      io.adapter(pubSubAdapter(pub, client(), { key: `${spec.redis.prefix}sio` }));
    }
  }
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
      // quit (not disconnect): the adapters' last commands get their answers instead of rejecting unhandled.
      await Promise.all(redisClients.map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
