// Reading a refused handshake: RFC 6750 error, Retry-After, and what each status means for the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerError, classifyRefusal, refusalFrom, retryAfterMs } from '../../src/client/refusal.js';

test('bearerError and retryAfterMs read only well-formed values', () => {
  assert.equal(bearerError('Bearer error="invalid_token"'), 'invalid_token');
  assert.equal(bearerError('Bearer realm="x", error="invalid_request", error_description="nope"'), 'invalid_request');
  assert.equal(bearerError('Bearer'), undefined);
  assert.equal(bearerError('Bearer error="<script>alert(1)</script>"'), undefined);
  assert.equal(bearerError(undefined), undefined);
  assert.equal(retryAfterMs('5'), 5000);
  assert.equal(retryAfterMs(' 2 '), 2000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT'), undefined);
  assert.equal(retryAfterMs('-1'), undefined);
});

test('classifyRefusal: 401 is refused credentials, 408/429/5xx transient, the rest final', () => {
  const r401 = classifyRefusal(refusalFrom(401, { 'www-authenticate': 'Bearer error="invalid_token"' }, 'Unauthorized'));
  assert.equal(r401.kind, 'auth');
  assert.ok(r401.kind === 'auth' && r401.error.code === 'auth_failed' && r401.error.status === 401 && r401.error.reason === 'invalid_token');
  for (const s of [408, 429, 500, 503]) assert.equal(classifyRefusal(refusalFrom(s, {}, '')).kind, 'transient', String(s));
  const r403 = classifyRefusal(refusalFrom(403, {}, 'Forbidden'));
  assert.ok(r403.kind === 'final' && r403.error.code === 'handshake_refused' && r403.error.reason === 'Forbidden' && !r403.error.retryable);
  assert.deepEqual(refusalFrom(429, { 'retry-after': ['3'] }, 'Too Many Requests'), { status: 429, reason: 'Too Many Requests', retryAfterMs: 3000 });
});
