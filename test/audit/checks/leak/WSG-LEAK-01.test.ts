import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED } from '../../harness.js';
import { runChecks, status, track } from './run.js';

async function audit(leakStackTraces: boolean) {
  const s = track(await startWeakServer({ leakStackTraces }));
  // PROTO-04 sends a valid (non-JSON) text message: the app answers with its error frame.
  return runChecks(['WSG-PROTO-04', 'WSG-LEAK-01'], s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') } });
}

test('LEAK-01: stack trace and SQL in an error frame → medium finding', async () => {
  const r = await audit(true);
  const f = r.findings.find((x) => x.checkId === 'WSG-LEAK-01');
  assert.equal(f?.severity, 'medium');
  assert.match(f?.evidence ?? '', /Node\.js stack frame in a text frame \(during WSG-PROTO-04\)/);
  assert.match(f?.evidence ?? '', /SQL text/);
  assert.match(f?.evidence ?? '', /internal file path/);
});

test('LEAK-01: generic errors → pass; alone, the recorded baseline answer → pass', async () => {
  const r = await audit(false);
  assert.equal(status(r, 'WSG-LEAK-01'), 'pass');
  const s = track(await startWeakServer({}));
  // Alone, it still has the baseline answer (here a 401) to scan: every audit records it.
  const alone = await runChecks(['WSG-LEAK-01'], s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(status(alone, 'WSG-LEAK-01'), 'pass');
});
