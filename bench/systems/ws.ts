/**
 * Raw `ws`: no auth, no origin check, no validation. The transport ceiling in Node.
 * inbound: echo; fanout: a naive broadcast loop (serialize once, one Buffer per event);
 * replay: the rows read from SQLite and sent one by one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerSpec } from '../lib/types.js';
import { REPLAY_CHANNEL } from '../lib/types.js';
import { openReplayRows } from './replay-rows.js';
import type { StartedServer } from './types.js';

export async function startWs(spec: ServerSpec): Promise<StartedServer> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const subscribers = new Set<WebSocket>();
  const replay = spec.replayDb ? openReplayRows(spec.replayDb, REPLAY_CHANNEL) : undefined;
  let seq = 0;

  wss.on('connection', (ws) => {
    // A protocol error (the auditor sends some on purpose) closes the socket; it must not crash the server.
    ws.on('error', () => undefined);
    ws.on('close', () => subscribers.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (spec.scenario === 'inbound') return ws.send(data, { binary: isBinary });
      const text = String(data);
      if (text === 'sub') {
        subscribers.add(ws);
        return ws.send('ok');
      }
      if (text === 'replay' && replay) {
        for (const row of replay.rows()) ws.send(JSON.stringify({ type: 'event', payload: row }));
        return;
      }
      if (spec.scenario === 'fanout') {
        const p = JSON.parse(text) as { channel: string; path: string; size: number; mime: string; sha256: string };
        const event = { channel: p.channel, seq: ++seq, kind: 'file_upload', path: p.path, size: p.size, mime: p.mime, sha256: p.sha256, by: 'bench', at: new Date().toISOString() };
        const frame = Buffer.from(JSON.stringify({ type: 'event', payload: event }));
        for (const s of subscribers) s.send(frame, { binary: false });
        ws.send('ack');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    notes: [],
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      replay?.close();
    },
  };
}
