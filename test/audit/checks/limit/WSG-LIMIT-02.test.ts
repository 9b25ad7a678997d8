import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOWED, runCheck, auditWeak, track } from '../../harness.js';
import { startNaiveServer } from './naive-server.js';

test('LIMIT-02: a parser that waits for the declared body → finding', async () => {
  const s = await startNaiveServer();
  track(s);
  const r = await runCheck('WSG-LIMIT-02', s.url, { allowedOrigins: [ALLOWED], requestTimeoutMs: 800 });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-02');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /2\^62: no close within 800 ms.*MSB set.*STEWS-4/);
});

test('LIMIT-02: ws closes 1009 from the header → pass', async () => {
  const r = await auditWeak('WSG-LIMIT-02', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
