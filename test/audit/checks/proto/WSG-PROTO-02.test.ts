import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';
import { runCheck, track } from '../../harness.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';

test('PROTO-02: RSV bits, reserved opcodes and non-minimal lengths tolerated → low finding', async () => {
  const r = await againstLax('WSG-PROTO-02', { ignoreRsv: true, ignoreUnknownOpcodes: true, acceptNonMinimalLength: true });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-PROTO-02');
  assert.equal(f?.severity, 'low');
  assert.match(f?.evidence ?? '', /RSV1.*RSV2.*RSV3.*0x3.*0xB.*16-bit/);
  // A plain WebSocket server: no Engine.IO advice (issue #17).
  assert.doesNotMatch(f?.remediation ?? '', /Engine\.IO|CVE-2022-21676/);
});

test('PROTO-02: Socket.IO (ws under Engine.IO) tolerating the 16-bit length form → the remediation names the Engine.IO advisory', async () => {
  const s = track(await startSocketIoServer());
  const r = await runCheck('WSG-PROTO-02', s.url);
  assert.equal(r.findings.length, 1, r.result.reason);
  assert.match(r.findings[0]?.evidence ?? '', /16-bit length/);
  assert.match(r.findings[0]?.remediation ?? '', /Engine\.IO: upgrade past 6\.1\.0 \(CVE-2022-21676/);
});

test('PROTO-02: RSV2 kills the server → WSG-LIVE-01 names PROTO-02 and the frame; nothing under PROTO-02', async () => {
  const r = await againstLax('WSG-PROTO-02', { ignoreRsv: false, crashOnRsv23: true }, { livenessWindowMs: 1500 }, ['WSG-LIVE-01']);
  assert.deepEqual(r.findings.map((f) => f.checkId), ['WSG-LIVE-01']);
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /^After WSG-PROTO-02 \(input: the [^)]*RSV2.*\) the target stopped answering/);
});

test('PROTO-02: RFC 6455 server → pass; not run without --intrusive', async () => {
  const r = await againstLax('WSG-PROTO-02', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
  const safe = await againstLax('WSG-PROTO-02', {}, { intrusive: false });
  assert.equal(safe.result.status, 'skipped');
});
