/**
 * The PROTO frame checks against a server that ends every session right after the 101 (the
 * baseline's too): its closes answer every frame alike, so PROTO-03/05 skip with that reason
 * instead of claiming a protocol weakness (found by the outsider auditing unseen servers).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFragileServer } from '../../../fixtures/fragile-server.js';
import { runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

for (const end of ['close', 'drop'] as const) {
  for (const id of ['WSG-PROTO-03', 'WSG-PROTO-05']) {
    test(`${id}: every session ${end === 'close' ? 'closed (1000)' : 'dropped'} right after the 101 → skipped with the reason, no finding`, async () => {
      const s = await startFragileServer({ endAfterUpgrade: end });
      servers.push(s);
      const r = await runCheck(id, s.url, { allowedOrigins: ['https://app.example.com'] });
      assert.deepEqual(r.findings, [], JSON.stringify(r.findings));
      assert.equal(r.result.status, 'skipped', JSON.stringify(r.result));
      assert.match(r.result.reason ?? '', /^not applicable: the server ends every session right after the 101 \(a plain session with one valid ping: (?:close 1000|connection dropped)\)/);
    });
  }
}

test('PROTO-03/05 against a server that keeps sessions open: judged (pass), the plain-session gate does not skip', async () => {
  const s = await startFragileServer({});
  servers.push(s);
  for (const id of ['WSG-PROTO-03', 'WSG-PROTO-05']) {
    const r = await runCheck(id, s.url, { allowedOrigins: ['https://app.example.com'] });
    assert.equal(r.result.status, 'pass', `${id}: ${JSON.stringify(r.result)} ${JSON.stringify(r.findings)}`);
  }
});
