import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck, track } from '../../harness.js';
import { GQL_AUDIT, startGqlWsLikeServer } from '../../../fixtures/gqlws-like-server.js';
import { defaultCredentials } from '../../../../src/audit/options.js';

/** As the outside tester ran it: --canary-expect 'secret-of-alice' matches A's answer only. */
const options = (canaryExpect: string) => ({
  ...GQL_AUDIT,
  secondIdentity: { ...defaultCredentials(), ...GQL_AUDIT.credentials, token: 'tok-bob-2c9e4f1a7d3b5e8c' },
  canaryExpect, canaryWaitMs: 300, sessionWaitMs: 1500,
});

test('LEAK-03: --canary-expect matching only A\'s answer — B\'s answer is learnt from its frames shaped like A\'s, so a leak is found, and no leak passes instead of a skip (found by an outside tester)', async () => {
  const leaky = track(await startGqlWsLikeServer({ fanOut: true }));
  const bad = await runCheck('WSG-LEAK-03', leaky.url, options('secret-of-alice'));
  assert.equal(bad.result.status, 'fail', bad.result.reason);
  assert.match(bad.findings[0]?.evidence ?? '', /received B's answer to the canary/);
  const ok = track(await startGqlWsLikeServer());
  const good = await runCheck('WSG-LEAK-03', ok.url, options('secret-of-alice'));
  assert.equal(good.result.status, 'pass', good.result.reason);
});

test('LEAK-03: a --canary-expect that B\'s answer misses, with nothing else to tell B\'s answer apart → the skip says it must match every user\'s answer', async () => {
  // B's operation completes with no data: B then has nothing of its own.
  const ok = track(await startGqlWsLikeServer({ mute: 'bob' }));
  const r = await runCheck('WSG-LEAK-03', ok.url, options('secret-of-alice'));
  assert.equal(r.result.status, 'skipped');
  assert.match(r.result.reason ?? '', /must match every user's answer \(e\.g\./);
});
