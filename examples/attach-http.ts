// Attach wsguard to a plain Node http server: the README's example as a function (test/examples runs it
// and checks that its statements are the README's).
import { createServer } from 'node:http';
import { z } from 'zod';
import { createGuard, secureHttpOptions, WsguardError } from '../src/server/index.js';

/** The `note` message: the server validates it, and a client can share its type (see note-client.ts). */
export const Note = z.object({ text: z.string().max(280) });
export type Note = z.infer<typeof Note>;

export function start(secret: string, port = 0) {
  const log = console;

  // secureHttpOptions(): header size cap, slowloris timeouts (see docs/server.md, "HTTP hardening")
  const server = createServer(secureHttpOptions(), (req, res) => {
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

  guard.on('security', (event) => log.warn('security', event));

  server.listen(port, '127.0.0.1');
  return { server, guard };
}
