import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, auditWeak, runCheck, track } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const audit = (weak: WeakServerOptions, extra: AuditOptionsInput = {}) =>
  auditWeak('WSG-AUTHZ-03', weak, { messages: ['{"type":"profile.update","name":"Alice"}'], readMessage: '{"type":"profile.get"}', ...extra });

test('AUTHZ-03: every field stored → high finding naming the fields', async () => {
  const r = await audit({ massAssignment: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-AUTHZ-03');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /userId="wsg-probe-user".*role="wsg-probe-admin".*isAdmin=true.*price=0\.01/);
});

test('AUTHZ-03: only whitelisted fields stored → pass; no JSON message → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, { messages: ['hello'] });
  assert.equal(none.result.status, 'skipped');
});

/** A plain ws server whose handler is `reply(message)`. */
async function plainServer(reply: (m: Record<string, unknown>, raw: string) => string) {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      const raw = String(data);
      let m: Record<string, unknown> = {};
      try { m = JSON.parse(raw) as Record<string, unknown>; } catch { /* not JSON */ }
      ws.send(reply(m, raw));
    });
  });
  await new Promise((r) => wss.once('listening', r));
  track({ close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }) });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

test('AUTHZ-03 on a plain echo server: the extended message echoed back is not a grant → pass', async () => {
  const url = await plainServer((_m, raw) => raw);
  const r = await runCheck('WSG-AUTHZ-03', url, { allowedOrigins: [ALLOWED], messages: ['{"type":"profile.update","name":"Alice"}'] });
  assert.deepEqual(r.findings.map((f) => `${f.severity}/${f.confidence}: ${f.evidence}`), []);
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('AUTHZ-03: an echo with a field added (a timestamp) cannot be told from a stored record → tentative, not a claim; --read-message settles it', async () => {
  const url = await plainServer((m) => JSON.stringify(m.type === 'profile.get' ? { type: 'profile', name: 'Alice' } : { ...m, at: 1 }));
  const r = await runCheck('WSG-AUTHZ-03', url, { allowedOrigins: [ALLOWED], messages: ['{"type":"profile.update","name":"Alice"}'] });
  assert.deepEqual(r.findings.map((f) => f.confidence), ['tentative']);
  assert.match(r.findings[0]?.evidence ?? '', /--read-message/);
  const withRead: AuditOptionsInput = { allowedOrigins: [ALLOWED], messages: ['{"type":"profile.update","name":"Alice"}'], readMessage: '{"type":"profile.get"}' };
  const read = await runCheck('WSG-AUTHZ-03', url, withRead);
  assert.deepEqual(read.findings.map((f) => f.evidence), [], 'the read shows nothing stored: the copy was an echo');
  assert.equal(read.result.status, 'pass', read.result.reason);
});
