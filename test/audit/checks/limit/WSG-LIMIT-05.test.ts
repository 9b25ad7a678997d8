import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak, runCheck, track } from '../../harness.js';
import { startSio2LikeServer } from '../../../fixtures/sio2-like-server.js';
import { GQL_AUDIT, startGqlWsLikeServer } from '../../../fixtures/gqlws-like-server.js';

const audit = (weak: WeakServerOptions, canary: string | null = '{"type":"whoami"}') => auditWeak('WSG-LIMIT-05', weak, { canary: canary ?? undefined, rateWindowMs: 1000 });

test('LIMIT-05: no rate limit → all 500 answered, finding', async () => {
  const r = await audit({ noRateLimit: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-05');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /^500 messages in \d+ ms on one socket all answered \(500 answers\)/);
});

test('LIMIT-05: 200 per 10 s then error + close 1008 → pass; no message → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  // A pass says what was observed.
  assert.match(ok.result.reason ?? '', /^500 messages in \d+ ms on one socket: (closed \(1008|an error reply)/);
  const none = await audit({ noRateLimit: true }, null);
  assert.equal(none.result.status, 'skipped');
});

test('LIMIT-05: other sessions\' traffic fanned out to this socket while its reply is counted (a room\'s chat) does not hide the missing limit', async () => {
  const greeted = new WeakSet<object>();
  const r = await audit({
    noRateLimit: true,
    // Each socket's first answer arrives with two chat frames of other users: the old count took them for
    // three replies per message, wanted 1500 and passed on 500.
    onAppMessage: (msg, conn) => {
      if (msg.json?.type !== 'whoami' || greeted.has(conn)) return false;
      greeted.add(conn);
      setTimeout(() => { conn.send({ type: 'chat', from: 'carol', text: 'hi' }); conn.send({ type: 'chat', from: 'dave', text: 'yo' }); }, 20);
      return false;
    },
  });
  assert.equal(r.result.status, 'fail', r.result.reason);
  assert.match(r.findings[0]?.evidence ?? '', /all answered \(500 answers\)/);
});

test('LIMIT-05: socket.io 2 framing (a second `40` after the CONNECT, an ack id per emit) does not hide the missing limit (found by an outside tester)', async () => {
  const s = track(await startSio2LikeServer());
  const r = await runCheck('WSG-LIMIT-05', s.url, { canary: '["whoami"]', canaryExpect: '"user"', rateWindowMs: 1000 });
  assert.equal(r.result.status, 'fail', r.result.reason);
  assert.match(r.findings[0]?.evidence ?? '', /all answered \(500 answers\)/);
});

test('LIMIT-05: a close that is a protocol error (graphql-ws 4409 on the reused operation id) is no rate limit: skipped naming the close, not a pass (found by an outside tester)', async () => {
  const gql = track(await startGqlWsLikeServer());
  const r = await runCheck('WSG-LIMIT-05', gql.url, { ...GQL_AUDIT, rateWindowMs: 1000 });
  assert.equal(r.result.status, 'skipped', r.result.reason);
  assert.match(r.result.reason ?? '', /4409 Subscriber for c1 already exists/);
  assert.match(r.result.reason ?? '', /not a rate limit/);
});
