import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connect, handshakeStatus, mintToken, ORIGIN, request, startGuard } from './helpers.js';

test('redaction: a run full of tokens, tickets and cookies leaves none of them in the log', async (t) => {
  const secrets: string[] = [];
  const cookieSecret = 'sid=cookie-secret-value-123456';
  secrets.push('cookie-secret-value-123456');
  const h = await startGuard({
    authFailures: { perMin: 600, burst: 100 },
    auth: {
      jwt: { secret: (await import('./helpers.js')).SECRET },
      cookie: (req) => (req.headers.cookie === cookieSecret ? { sub: 'c', perms: { subscribe: [], publish: [] } } : undefined),
    },
  });
  t.after(() => h.close());
  // An app handler that logs carelessly: the guard's logger still redacts.
  h.guard.message('login', z.object({ token: z.string(), password: z.string() }), (ctx, p) => {
    h.guard.logger.info({ payload: p, headers: { authorization: `Bearer ${p.token}`, cookie: cookieSecret } }, 'app log');
  });
  h.guard.message('explode', z.object({ ticket: z.string() }), () => {
    throw new Error('boom');
  });
  const token = await mintToken({ sub: 'logged' });
  secrets.push(token);
  const expired = await mintToken({ exp: Math.floor(Date.now() / 1000) - 100 });
  secrets.push(expired);

  assert.equal(await handshakeStatus(h, { token }), 101);
  assert.equal(await handshakeStatus(h, { token: expired }), 401);
  assert.equal(await handshakeStatus(h, { path: `/ws?token=${token}` }), 401);
  assert.equal(await handshakeStatus(h, { protocols: ['wsguard.v1', `wsguard.bearer.${expired}`] }), 401);
  assert.equal(await handshakeStatus(h, { headers: { cookie: cookieSecret } }), 101);
  assert.equal(await handshakeStatus(h, { headers: { cookie: 'sid=wrong-cookie-secret-999' } }), 401);
  secrets.push('wrong-cookie-secret-999');
  const res = await fetch(`http://127.0.0.1:${h.port}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: ORIGIN } });
  const { ticket } = (await res.json()) as { ticket: string };
  secrets.push(ticket);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${ticket}` }), 101);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${ticket}` }), 401);

  const ws = await connect(h, { token });
  const password = 'hunter2-password-xyz';
  secrets.push(password);
  await request(ws, { type: 'login', payload: { token, password } });
  await request(ws, { type: 'explode', payload: { ticket } });
  await request(ws, { type: 'auth.refresh', payload: { token: expired } });
  await request(ws, `{"type":"nope","payload":{"token":"${token}"}}`);
  ws.close();

  const log = h.logs.join('');
  assert.ok(log.includes('handshake_refused') && log.includes('app log'), 'the log did capture the run');
  assert.ok(log.includes('[redacted]'), 'the careless app log was redacted, not dropped');
  for (const s of secrets) assert.equal(log.includes(s), false, `secret leaked: ${s.slice(0, 12)}…`);
  assert.equal(log.includes(token.split('.')[2]!), false);
});
