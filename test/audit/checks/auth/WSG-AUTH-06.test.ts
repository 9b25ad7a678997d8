import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('AUTH-06: no throttle → finding; 429 after 10 failures → pass', async () => {
  const weak = await audit('WSG-AUTH-06', { noAuthThrottle: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-06');
  const ok = await audit('WSG-AUTH-06', {});
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-06: a wrong credential that is served → high "Wrong credential accepted" finding, never only a skip reason', async () => {
  const r = await audit('WSG-AUTH-06', { auth: 'cookie', acceptAnySessionCookie: true }, () => ({ credentials: { cookie: 'sid=alice' } }));
  assert.equal(r.result.status, 'fail', r.result.reason);
  assert.deepEqual(r.findings.map((f) => [f.title, f.severity, f.confidence]), [['Wrong credential accepted', 'high', 'certain']]);
  assert.match(r.findings[0]?.evidence ?? '', /cookie sid=wsguard-wrong-…\) was served: 101, canary answered: .*protected-data-of-wsguard-wrong-0/);
});

test('AUTH-06: the credential given only as a --header is falsified too (a wrong bearer token, no throttle → finding)', async () => {
  const r = await audit('WSG-AUTH-06', { noAuthThrottle: true }, (_s, token) => ({ credentials: { headers: { Authorization: `Bearer ${token}` } } }));
  assert.equal(r.findings[0]?.checkId, 'WSG-AUTH-06', r.result.reason);
  assert.match(r.findings[0]?.evidence ?? '', /20 wrong credentials were each evaluated .*HTTP 401/);
});
