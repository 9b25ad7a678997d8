/**
 * Writes a refusal as a plain HTTP response on the raw upgrade socket and closes it:
 * tiny fixed body, `Connection: close`, no product names, nothing from the request.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Refusal } from './types.js';

export function writeRefusal(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[refusal.status] ?? 'Error';
  const body = `${text}\n`;
  const headers: Record<string, string | number> = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...refusal.headers,
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${refusal.status} ${text}\r\n${head}\r\n\r\n${body}`);
  // Do not wait on a peer that never reads: the socket goes away either way.
  setTimeout(() => socket.destroy(), 1000).unref();
}
