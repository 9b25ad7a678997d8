/**
 * WSG-AUTH-01 without --canary (issue 17): sample messages answered with data on an anonymous
 * socket → medium "anonymous connection served" with the exchange; --canary confirms and raises
 * it; an endpoint that refuses anonymous clients or only answers them with errors → no finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, auditWeak, runCheck, track } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import { audit } from './setup.js';

test('AUTH-01: no auth → finding; bearer required → pass; no canary on an open endpoint → skipped', async () => {
  const weak = await audit('WSG-AUTH-01', { auth: 'none' });
  assert.equal(weak.findings[0]?.severity, 'high');
  assert.equal(weak.findings[0]?.confidence, 'certain');
  const ok = await audit('WSG-AUTH-01', {});
  assert.equal(ok.result.status, 'pass');
  const unknown = await audit('WSG-AUTH-01', { auth: 'none' }, () => ({ canary: undefined, canaryExpect: undefined }));
  assert.equal(unknown.result.status, 'skipped');
});

test('AUTH-01: protected data pushed without being asked → finding (no canary needed)', async () => {
  const r = await audit('WSG-AUTH-01', { auth: 'none', pushOnConnect: true }, () => ({ canary: undefined }));
  assert.match(r.findings[0]?.evidence ?? '', /unsolicited push/);
});

/** Without the shared CANARY: the point is what happens with no --canary. */
const anonAudit = (weak: WeakServerOptions, extra: AuditOptionsInput = {}) => auditWeak('WSG-AUTH-01', weak, extra);

test('AUTH-01: no canary, sample message answered for an anonymous socket → medium, likely, with the exchange', async () => {
  const r = await anonAudit({ auth: 'none' }, { messages: ['{"type":"whoami"}'] });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  assert.equal(f?.severity, 'medium');
  assert.equal(f?.confidence, 'likely');
  assert.equal(f?.title, 'Anonymous connection served: confirm it is meant to be public');
  assert.match(f?.evidence ?? '', /^Without any credential the handshake got 101, and the sample message \{"type":"whoami"\} was answered with .*protected-data-of-/);
});

test('AUTH-01: --canary confirms it → high, certain', async () => {
  const r = await anonAudit({ auth: 'none' }, { messages: ['{"type":"whoami"}'], canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence, f.title]), [['high', 'certain', 'Unauthenticated access']]);
});

test('AUTH-01: anonymous handshake refused → pass; anonymous socket that answers only errors → skipped, no finding', async () => {
  const bearer = await anonAudit({}, { messages: ['{"type":"whoami"}'] });
  assert.equal(bearer.result.status, 'pass', bearer.result.reason);
  // First-message auth: the socket opens, but app messages before auth get an error.
  const firstMessage = await anonAudit({ auth: 'first-message' }, { messages: ['{"type":"whoami"}'], credentials: { tokenIn: 'message', authMessage: '{"type":"auth","token":"{{token}}"}' } });
  assert.equal(firstMessage.findings.length, 0, JSON.stringify(firstMessage.findings));
  assert.equal(firstMessage.result.status, 'skipped');
  const noSamples = await anonAudit({ auth: 'none' });
  assert.equal(noSamples.result.status, 'skipped');
});

test('AUTH-01 on a hostile target: a frame the auditor must refuse (RSV1 unnegotiated) never turns the anonymous-data finding into a pass', async () => {
  const { WebSocketServer } = await import('ws');
  const { createServer } = await import('node:http');
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('message', () => ws.send('{"user":"alice","files":["q3.pdf"]}'));
    // One raw 3-byte text frame with RSV1 set, as a poisoning target sends after the 101.
    setTimeout(() => (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0xc1, 0x01, 0x61])), 50);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  track({ close: () => new Promise<void>((r) => { wss.close(); server.closeAllConnections(); server.close(() => r()); }) });
  const port = (server.address() as { port: number }).port;
  const r = await runCheck('WSG-AUTH-01', `ws://127.0.0.1:${port}/`, { allowedOrigins: [ALLOWED], canary: '{"type":"whoami"}', canaryExpect: '"user"' });
  assert.notEqual(r.result.status, 'pass', `${r.result.status}: ${r.result.reason ?? ''}`);
  if (r.result.status !== 'fail') assert.match(r.result.reason ?? '', /frame the auditor had to refuse/);
});

test('AUTH-01 on a plain ws echo server: the canary coming back is an echo, not protected data served anonymously', async () => {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise((r) => wss.once('listening', r));
  track({ close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }) });
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  // No pattern: the baseline's answer (the echo) used to be taken as the protected answer.
  const bare = await runCheck('WSG-AUTH-01', url, { allowedOrigins: [ALLOWED], canary: '{"type":"whoami"}' });
  assert.deepEqual(bare.findings.map((f) => `${f.severity}/${f.confidence}: ${f.evidence}`), []);
  // A pattern the canary itself matches proves nothing either.
  const matching = await runCheck('WSG-AUTH-01', url, { allowedOrigins: [ALLOWED], canary: '{"type":"whoami"}', canaryExpect: 'whoami' });
  assert.deepEqual(matching.findings.map((f) => `${f.severity}/${f.confidence}: ${f.evidence}`), []);
  // Sample messages echoed back are no data either (and they are not the canary).
  const samples = await runCheck('WSG-AUTH-01', url, { allowedOrigins: [ALLOWED], messages: ['{ "type": "hello" }'] });
  assert.deepEqual(samples.findings.map((f) => f.evidence), []);
});

test('AUTH-01: the operator\'s token written into the target URL (?token=) is not sent by the anonymous handshake (was a high/certain false positive)', async () => {
  const s = track(await (await import('../../../fixtures/weak-server.js')).startWeakServer({ acceptQueryToken: true }));
  const token = await s.mintToken('alice');
  const url = `${s.url}?token=${encodeURIComponent(token)}&room=lobby`;
  const r = await runCheck('WSG-AUTH-01', url, { allowedOrigins: [ALLOWED], canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' });
  assert.deepEqual(r.findings.map((f) => `${f.severity} ${f.evidence}`), []);
  assert.equal(r.result.status, 'pass', r.result.reason);
  // The anonymous handshake was refused: it went without the token.
  assert.ok(r.traffic.entries().some((e) => e.checkId === 'WSG-AUTH-01' && e.kind === 'http' && e.text === 'Unauthorized'), JSON.stringify(r.traffic.entries().map((e) => e.text.slice(0, 40))));
});
