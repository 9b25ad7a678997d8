import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';
import { runCheck, track } from '../../harness.js';
import { GQL_AUDIT, startGqlWsLikeServer } from '../../../fixtures/gqlws-like-server.js';

test('AUTH-03: token accepted in the query → finding; refused → pass', async () => {
  const weak = await audit('WSG-AUTH-03', { acceptQueryToken: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-03');
  assert.match(weak.findings[0]?.evidence ?? '', /\?token=/);
  const ok = await audit('WSG-AUTH-03', {});
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-03: first-message auth (graphql-ws) — moving the token to ?token= leaves no copy in connection_init, so only the URL is judged (found by an outside tester)', async () => {
  const gql = track(await startGqlWsLikeServer());
  const ok = await runCheck('WSG-AUTH-03', gql.url, GQL_AUDIT);
  assert.equal(ok.result.status, 'pass', `${ok.result.reason ?? ''} ${ok.findings.map((f) => f.evidence).join(' | ')}`);
  // The auth message still went out (the protocol needs it), with the token removed.
  const sent = ok.traffic.entries().filter((e) => e.direction === 'out').map((e) => e.text);
  assert.ok(sent.some((d) => d === '{"type":"connection_init","payload":{"token":""}}'), sent.join('\n'));
  const weak = track(await startGqlWsLikeServer({ acceptQueryToken: true }));
  const bad = await runCheck('WSG-AUTH-03', weak.url, GQL_AUDIT);
  assert.equal(bad.result.status, 'fail', bad.result.reason);
  assert.match(bad.findings[0]?.evidence ?? '', /\?token=/);
});
