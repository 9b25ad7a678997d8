import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import { audit } from './setup.js';

test('AUTH-05: no auth window and pre-auth processing → findings; bounded window → pass', async () => {
  const fm = (s: unknown, token: string): AuditOptionsInput => ({ credentials: { token, tokenIn: 'message' }, authWindowMs: 1200 });
  const open = await audit('WSG-AUTH-05', { auth: 'first-message', noAuthTimeout: true, authTimeoutMs: 300 }, fm);
  assert.equal(open.findings.length, 1);
  assert.equal(open.findings[0]?.severity, 'medium');
  const pre = await audit('WSG-AUTH-05', { auth: 'first-message', processPreAuthMessages: true, authTimeoutMs: 300 }, fm);
  assert.equal(pre.findings[0]?.severity, 'high');
  const ok = await audit('WSG-AUTH-05', { auth: 'first-message', authTimeoutMs: 300 }, fm);
  assert.equal(ok.result.status, 'pass');
  const hs = await audit('WSG-AUTH-05', {});
  assert.equal(hs.result.status, 'skipped');
});
