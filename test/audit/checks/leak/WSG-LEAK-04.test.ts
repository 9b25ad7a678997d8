import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { startLaxServer } from '../../../fixtures/lax-server.js';
import { ALLOWED } from '../../harness.js';
import { runChecks, status, track } from './run.js';
import { mojoMissing, startMojo } from '../../../fixtures/mojo-server.js';

async function audit(echoTokenSubprotocol: boolean) {
  const s = track(await startWeakServer({ echoTokenSubprotocol }));
  const token = await s.mintToken('alice');
  const report = await runChecks(['WSG-PROTO-01', 'WSG-LEAK-04'], s.url, { allowedOrigins: [ALLOWED], credentials: { token, tokenIn: 'subprotocol' } });
  return { report, token };
}

test('LEAK-04: token-bearing subprotocol echoed in the 101 → medium finding, token masked', async () => {
  const { report, token } = await audit(true);
  const f = report.findings.find((x) => x.checkId === 'WSG-LEAK-04');
  assert.equal(f?.severity, 'medium');
  assert.equal(f?.confidence, 'certain');
  assert.match(f?.evidence ?? '', /Sec-WebSocket-Protocol: wsguar…/);
  assert.ok(!f?.evidence.includes(token));
});

test('LEAK-04: junk bytes in a close reason → tentative finding', async () => {
  const s = track(await startLaxServer({ junkCloseReason: true }));
  const r = await runChecks(['WSG-PROTO-01', 'WSG-LEAK-04'], s.url);
  const f = r.findings.find((x) => x.checkId === 'WSG-LEAK-04');
  assert.equal(f?.confidence, 'tentative');
  assert.match(f?.evidence ?? '', /close 1002 reason \(during WSG-PROTO-01\) is not clean UTF-8: bytes ff001337/);
});

test('LEAK-04: only the protocol name answered, clean close reasons → pass', async () => {
  const { report } = await audit(false);
  assert.equal(status(report, 'WSG-LEAK-04'), 'pass');
});

test('LEAK-04: Mojolicious debug 404 page reflecting the request cookie → low, titled and fixed for the error page, not the subprotocol', { skip: mojoMissing() }, async () => {
  const mojo = track(await startMojo());
  const r = await runChecks(['WSG-FINGER-03', 'WSG-LEAK-04'], mojo.url, { allowedOrigins: [mojo.origin], credentials: { cookie: mojo.alice } });
  const f = r.findings.filter((x) => x.checkId === 'WSG-LEAK-04');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]?.title, 'Credential reflected in an HTTP error page');
  assert.equal(f[0]?.severity, 'low');
  assert.match(f[0]?.evidence ?? '', /HTTP 404 error page \(during WSG-FINGER-03\).*defeats HttpOnly/);
  assert.match(f[0]?.remediation ?? '', /error pages.*MOJO_MODE=production/);
  assert.doesNotMatch(f[0]?.remediation ?? '', /Sec-WebSocket-Protocol/);
});
