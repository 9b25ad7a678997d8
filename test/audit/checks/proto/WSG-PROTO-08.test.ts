import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-08: context takeover on an authenticated endpoint and invalid params accepted → two findings', async () => {
  const r = await againstLax('WSG-PROTO-08', { deflate: 'context-takeover', acceptInvalidDeflateParams: true }, { credentials: { token: 'tok-123456789' } });
  assert.equal(r.findings.length, 2);
  assert.ok(r.findings.every((f) => f.checkId === 'WSG-PROTO-08' && f.severity === 'low'));
  assert.ok(r.findings.some((f) => /context takeover.*authenticated/.test(f.evidence)));
  assert.ok(r.findings.some((f) => /server_max_window_bits=7/.test(f.evidence)));
  const anon = await againstLax('WSG-PROTO-08', { deflate: 'context-takeover' });
  assert.equal(anon.findings.length, 1);
  assert.equal(anon.findings[0]?.severity, 'info');
});

test('PROTO-08: no compression, or no_context_takeover with invalid offers declined → pass', async () => {
  const off = await againstLax('WSG-PROTO-08', {});
  assert.equal(off.result.status, 'pass', off.result.reason);
  const nct = await againstLax('WSG-PROTO-08', { deflate: 'no-context-takeover' }, { credentials: { token: 'tok-123456789' } });
  assert.equal(nct.result.status, 'pass', nct.result.reason);
});
