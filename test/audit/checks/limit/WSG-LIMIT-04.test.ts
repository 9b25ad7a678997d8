import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { runCheck, auditWeak } from '../../harness.js';
import { corpusCase, withTarget } from '../../../corpus/start.js';

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

const aiohttp = corpusCase('py-aiohttp');
test('LIMIT-04 on aiohttp (Debian python3-aiohttp 3.8.4): its one cap (max_msg_size 4 MiB) applies after inflation → no bomb claim', { skip: aiohttp.skip }, async () => {
  await withTarget(aiohttp.target, async (url) => {
    const r = await runCheck('WSG-LIMIT-04', url, { ...aiohttp.target.audit });
    assert.deepEqual(r.findings.map((f) => `${f.confidence}: ${f.evidence}`), []);
    assert.equal(r.result.status, 'pass', r.result.reason);
    // The 4 MiB bomb (at its cap) and the plain 2 MiB message were taken; the 64 MiB bomb was
    // refused with 1009 (aiohttp sends no reason text): the one close of the run.
    const closes = r.traffic.entries().filter((e) => e.kind === 'close' && e.direction === 'in').map((e) => e.closeCode);
    assert.deepEqual(closes, [1009]);
  });
});
