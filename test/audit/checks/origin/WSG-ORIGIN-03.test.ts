import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';
import { audit } from './setup.js';

test('ORIGIN-03: missing Origin accepted → info; browser-only cookie endpoint → medium; rejected → pass', async () => {
  const info = await audit('WSG-ORIGIN-03', {});
  assert.equal(info.findings[0]?.severity, 'info');
  const s = await startWeakServer({ auth: 'cookie' });
  track(s);
  const bo = await runCheck('WSG-ORIGIN-03', s.url, { allowedOrigins: [ALLOWED], browserOnly: true, credentials: { cookie: s.createSession('bob') } });
  assert.equal(bo.findings[0]?.severity, 'medium');
  const ok = await audit('WSG-ORIGIN-03', { rejectMissingOrigin: true });
  assert.equal(ok.result.status, 'pass');
});
