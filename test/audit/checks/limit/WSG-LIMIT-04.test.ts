import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions) => auditWeak('WSG-LIMIT-04', weak);

test('LIMIT-04: deflate with a wire-only cap → the 4 MiB bomb is accepted, finding', async () => {
  const r = await audit({ deflateWithoutInflateCap: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-04');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.equal(r.findings[0]?.confidence, 'certain');
  assert.match(r.findings[0]?.evidence ?? '', /inflating to 4 MiB was accepted/);
});

test('LIMIT-04: deflate with the 64 KiB cap applied after inflation → pass; no deflate → skipped', async () => {
  const ok = await audit({ ws: { perMessageDeflate: true } });
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const off = await audit({});
  assert.equal(off.result.status, 'skipped');
  assert.match(off.result.reason ?? '', /permessage-deflate/);
});
