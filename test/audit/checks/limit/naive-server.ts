/**
 * A hand-rolled WebSocket "server" for LIMIT-02: answers any upgrade with 101 and then trusts
 * frame headers completely, i.e. it silently waits for whatever body length a header declares
 * (the Gorilla CVE-2020-27813 / Tomcat shape). ws itself cannot be made to do this.
 */
import net from 'node:net';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export async function startNaiveServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let head = '';
    const onHead = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onHead);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      s.on('data', () => undefined); // frames are swallowed: a declared length is always waited for
    };
    s.on('data', onHead);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
