import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Weak, audit } from './setup.js';

test('AUTH-02: alg none / ignored signature / ignored expiry → critical finding; verified JWT → pass', async () => {
  const none = await audit('WSG-AUTH-02', { acceptAlgNone: true });
  assert.equal(none.findings[0]?.severity, 'critical');
  assert.match(none.findings[0]?.evidence ?? '', /alg: none/);
  const sig = await audit('WSG-AUTH-02', { ignoreSignature: true });
  assert.match(sig.findings[0]?.evidence ?? '', /signature byte flipped/);
  const exp = await audit('WSG-AUTH-02', { ignoreExpiry: true }, async (s) => ({ expiredToken: await s.mintToken('alice', -60) }));
  assert.match(exp.findings[0]?.evidence ?? '', /expired token/);
  const ok = await audit('WSG-AUTH-02', {}, (_s, _t) => ({}));
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-02: token for another audience accepted → finding; audience checked → pass', async () => {
  const other = (s: Weak) => s.mintToken('alice', 3600, 'other-api');
  const weak = await audit('WSG-AUTH-02', { audience: 'this-api', ignoreAudience: true }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.match(weak.findings[0]?.evidence ?? '', /another audience/);
  const ok = await audit('WSG-AUTH-02', { audience: 'this-api' }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('AUTH-02: without a canary a 101 for a forged token counts (anonymous gets 401)', async () => {
  const r = await audit('WSG-AUTH-02', { acceptAlgNone: true }, () => ({ canary: undefined, canaryExpect: undefined }));
  assert.equal(r.findings[0]?.confidence, 'likely');
});
