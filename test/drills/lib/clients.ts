/** Small client helpers shared by the drills: open a protocol client (optionally from another 127.0.0.x) and report what happened. */
import WebSocket from 'ws';
import { SUBPROTOCOL } from '../../../src/protocol/index.js';

export type Attempt = { ok: true; ws: WebSocket } | { ok: false; status: number | undefined; error?: string };

/** One handshake with a bearer token; resolves with the socket or the HTTP status of the refusal (bounded). */
export function attempt(wsUrl: string, token: string, opts: { localAddress?: string; timeoutMs?: number; origin?: string } = {}): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, [SUBPROTOCOL], {
      headers: { Authorization: `Bearer ${token}` },
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
      handshakeTimeout: opts.timeoutMs ?? 10_000,
    });
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => resolve({ ok: false, status: undefined, error: err.message }));
  });
}

/** Sends an application ping and resolves true when the pong arrives (bounded). */
export function pingPong(ws: WebSocket, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const id = `pp-${Math.random().toString(36).slice(2)}`;
    const timer = setTimeout(() => done(false), timeoutMs);
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string };
      if (m.type === 'pong' && m.id === id) done(true);
    };
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onClose = () => done(false);
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ type: 'ping', id, payload: {} }));
  });
}

/** Resolves with the close code and reason (bounded: undefined on timeout). */
export function closed(ws: WebSocket, timeoutMs = 10_000): Promise<{ code: number; reason: string } | undefined> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** Value of one Prometheus sample from a registry dump, 0 when absent. */
export function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
