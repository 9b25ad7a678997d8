import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('ORIGIN-04: suffix, prefix and unescaped-dot matching are each found; exact match passes', async () => {
  for (const sw of ['suffixOriginMatch', 'prefixOriginMatch', 'unescapedDotOriginMatch'] as const) {
    const r = await audit('WSG-ORIGIN-04', { [sw]: true });
    assert.equal(r.result.status, 'fail', sw);
    assert.equal(r.findings[0]?.severity, 'high');
  }
  const ok = await audit('WSG-ORIGIN-04', {});
  assert.equal(ok.result.status, 'pass');
});
