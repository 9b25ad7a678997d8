/**
 * WSG-AUTH-01 without --canary (issue 17): sample messages answered with data on an anonymous
 * socket → medium "anonymous connection served" with the exchange; --canary confirms and raises
 * it; an endpoint that refuses anonymous clients or only answers them with errors → no finding.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(weak: WeakServerOptions, extra: AuditOptionsInput = {}) {
  const s = await startWeakServer(weak);
  servers.push(s);
  return runCheck('WSG-AUTH-01', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') }, ...extra });
}

test('AUTH-01: no canary, sample message answered for an anonymous socket → medium, likely, with the exchange', async () => {
  const r = await audit({ auth: 'none' }, { messages: ['{"type":"whoami"}'] });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  assert.equal(f?.severity, 'medium');
  assert.equal(f?.confidence, 'likely');
  assert.equal(f?.title, 'Anonymous connection served: confirm it is meant to be public');
  assert.match(f?.evidence ?? '', /^Without any credential the handshake got 101, and the sample message \{"type":"whoami"\} was answered with .*protected-data-of-/);
});

test('AUTH-01: --canary confirms it → high, certain', async () => {
  const r = await audit({ auth: 'none' }, { messages: ['{"type":"whoami"}'], canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence, f.title]), [['high', 'certain', 'Unauthenticated access']]);
});

test('AUTH-01: anonymous handshake refused → pass; anonymous socket that answers only errors → skipped, no finding', async () => {
  const bearer = await audit({}, { messages: ['{"type":"whoami"}'] });
  assert.equal(bearer.result.status, 'pass', bearer.result.reason);
  // First-message auth: the socket opens, but app messages before auth get an error.
  const firstMessage = await audit({ auth: 'first-message' }, { messages: ['{"type":"whoami"}'], credentials: { tokenIn: 'message', authMessage: '{"type":"auth","token":"{{token}}"}' } });
  assert.equal(firstMessage.findings.length, 0, JSON.stringify(firstMessage.findings));
  assert.equal(firstMessage.result.status, 'skipped');
  const noSamples = await audit({ auth: 'none' });
  assert.equal(noSamples.result.status, 'skipped');
});
