import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(weak: WeakServerOptions) {
  const s = await startWeakServer(weak);
  servers.push(s);
  return runCheck('WSG-LIMIT-09', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') } });
}

test('LIMIT-09: > 2000 headers "crash" the server → crash-class finding', async () => {
  const r = await audit({ crashOnHeaderAbuse: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-09');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /^After \(a\) 2 100 headers before Upgrade .*crash-class/);
});

test('LIMIT-09: extension parsing slows down with \\c repeats → latency finding', async () => {
  const r = await audit({ slowExtensionParsing: true });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]?.evidence ?? '', /\(d\) Sec-WebSocket-Extensions with 28 vs 26/);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /\(c\)/);
});

test('LIMIT-09: Node + ws (400/431, flat latency) → pass', async () => {
  const r = await audit({});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
