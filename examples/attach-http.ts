// Attach wsguard to a plain Node http server (the README's example; test/examples runs it).
import { createServer } from 'node:http';
import { z } from 'zod';
import { createGuard, WsguardError } from '../src/server/index.js';

/** The `note` message: the server validates it, and a client can share its type (see note-client.ts). */
export const Note = z.object({ text: z.string().max(280) });
export type Note = z.infer<typeof Note>;

export function start(secret: string) {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/tickets') return guard.ticketHandler(req, res);
    res.writeHead(404).end();
  });

  const guard = createGuard({
    server,
    path: '/ws',
    origins: ['https://app.example'],
    auth: { jwt: { secret } },
  });

  // One strict schema per message type: size, rate, JSON bounds, envelope, schema and
  // authorization all run before the handler does.
  guard.message('note', Note, async (ctx, note) => {
    if (note.text.startsWith('/admin')) throw new WsguardError('forbidden');
    return { seq: note.text.length }; // sent as { type: 'ack', id, payload: { seq } }
  });

  guard.on('security', (event) => console.warn('security', event.kind));

  server.listen(0, '127.0.0.1');
  return { server, guard };
}
