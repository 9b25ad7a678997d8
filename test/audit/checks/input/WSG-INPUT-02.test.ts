import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions) => auditWeak('WSG-INPUT-02', weak, { messages: ['{"type":"search","q":"books"}'] });

test('INPUT-02: SQL error text → high; template evaluation → critical', async () => {
  const sql = await audit({ sqlErrorSignature: true });
  assert.equal(sql.findings.length, 1);
  assert.equal(sql.findings[0]?.checkId, 'WSG-INPUT-02');
  assert.equal(sql.findings[0]?.severity, 'high');
  assert.match(sql.findings[0]?.evidence ?? '', /^' → MySQL error: "You have an error in your SQL syntax"/);
  const tpl = await audit({ templateEvaluation: true });
  assert.equal(tpl.findings[0]?.severity, 'critical');
  assert.match(tpl.findings[0]?.evidence ?? '', /\{\{7\*7\}\} → evaluated to 49.*\$\{7\*7\} → evaluated to 49/);
});

test('INPUT-02: payloads echoed as inert data → pass', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});
