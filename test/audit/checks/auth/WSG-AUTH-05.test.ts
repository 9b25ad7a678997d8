import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import { audit } from './setup.js';
import { runCheck, track } from '../../harness.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';

test('AUTH-05: no auth window and pre-auth processing → findings; bounded window → pass', async () => {
  const fm = (s: unknown, token: string): AuditOptionsInput => ({ credentials: { token, tokenIn: 'message' }, authWindowMs: 1200 });
  const open = await audit('WSG-AUTH-05', { auth: 'first-message', noAuthTimeout: true, authTimeoutMs: 300 }, fm);
  assert.equal(open.findings.length, 1);
  assert.equal(open.findings[0]?.severity, 'medium');
  assert.equal(open.findings[0]?.confidence, 'certain');
  assert.match(open.findings[0]?.evidence ?? '', /was not closed within 1\.2 s\.$/);
  const pre = await audit('WSG-AUTH-05', { auth: 'first-message', processPreAuthMessages: true, authTimeoutMs: 300 }, fm);
  assert.equal(pre.findings[0]?.severity, 'high');
  const ok = await audit('WSG-AUTH-05', { auth: 'first-message', authTimeoutMs: 300 }, fm);
  assert.equal(ok.result.status, 'pass');
  const hs = await audit('WSG-AUTH-05', {});
  assert.equal(hs.result.status, 'skipped');
});

test('AUTH-05 on Socket.IO: a refused CONNECT keeps the transport until connectTimeout (45 s default) → finding that says so; connectTimeout under the window → pass', async () => {
  const opts = { credentials: { token: 'sio-token', tokenIn: 'message' as const }, authWindowMs: 1200 };
  const lax = track(await startSocketIoServer({ authToken: 'sio-token' }));
  const r = await runCheck('WSG-AUTH-05', lax.url, opts);
  assert.equal(r.findings.length, 1, r.result.reason);
  // What was seen, not more: the window (1.2 s) is shorter than connectTimeout (45 s default).
  assert.match(r.findings[0]?.evidence ?? '', /unauthenticated Socket\.IO client \(a CONNECT without auth, answered 44\{"message":"unauthorized"\}, then nothing\): its Engine\.IO transport was not closed within 1\.2 s\. .*connectTimeout \(45 s/);
  assert.equal(r.findings[0]?.confidence, 'tentative');
  const tight = track(await startSocketIoServer({ authToken: 'sio-token', engine: { connectTimeout: 300 } }));
  const ok = await runCheck('WSG-AUTH-05', tight.url, opts);
  assert.equal(ok.result.status, 'pass', JSON.stringify(ok.findings));
});
