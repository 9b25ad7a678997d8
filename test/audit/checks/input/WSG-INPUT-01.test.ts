import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak, runCheck, track } from '../../harness.js';
import { GQL_AUDIT, startGqlWsLikeServer } from '../../../fixtures/gqlws-like-server.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

// {"type":"chat"} is broadcast to every connection of the fixture.
const audit = (weak: WeakServerOptions, extra: AuditOptionsInput = {}) => auditWeak('WSG-INPUT-01', weak, { messages: ['{"type":"chat","text":"{{payload}}"}'], ...extra });

test('INPUT-01: unescaped chat relay → high finding, certain with a render hint', async () => {
  const r = await audit({ unescapedHtml: true }, { renderFields: ['text'] });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-INPUT-01');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.equal(r.findings[0]?.confidence, 'certain');
  assert.match(r.findings[0]?.evidence ?? '', /<img src=x onerror=wsg1> unencoded in "text" on the observer socket/);
  assert.match(r.findings[0]?.evidence ?? '', /"><svg onload=wsg2>/);
  const hintless = await audit({ unescapedHtml: true }, { messages: ['{"type":"chat","text":"hello"}'] });
  assert.equal(hintless.findings[0]?.confidence, 'tentative');
});

test('INPUT-01: HTML-escaped relay → pass; no message → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, { messages: [] });
  assert.equal(none.result.status, 'skipped');
});

test('INPUT-01: a pure echo server (each message back to its own sender only) → info self-reflection, not high', async () => {
  const r = await audit({ onAppMessage: (msg, conn) => { conn.ws.send(msg.raw); return true; } });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence]), [['info', 'certain']]);
  assert.match(r.findings[0]?.evidence ?? '', /echoes each message verbatim to its sender only .*self-reflection/);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /observer/);
});

test('INPUT-01: the payload in a reply of the server\'s own to its sender only → info self-reflection, as documented', async () => {
  const r = await audit({ onAppMessage: (msg, conn) => { conn.send({ type: 'ack', text: msg.json?.text ?? null }); return true; } });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence]), [['info', 'certain']]);
  assert.match(r.findings[0]?.evidence ?? '', /reflected to the sender in a reply of its own, reaching no other connection\): self-reflection/);
});

test('INPUT-01: graphql-ws handing the operation id the client chose back to that client → info, not high (found by an outside tester)', async () => {
  const gql = track(await startGqlWsLikeServer());
  const r = await runCheck('WSG-INPUT-01', gql.url, { ...GQL_AUDIT, messages: [GQL_AUDIT.canary] });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence]), [['info', 'certain']], r.findings.map((f) => f.evidence).join(' | '));
  assert.match(r.findings[0]?.evidence ?? '', /<img src=x onerror=wsg1> unencoded in "id" on the sender socket/);
});
