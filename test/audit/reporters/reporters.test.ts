import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPORTERS } from '../../../src/audit/reporters/index.js';
import { HOSTILE, sampleMetas, sampleReport } from './sample-report.js';

const input = { report: sampleReport, metas: sampleMetas };

test('json: exactly the DESIGN.md contract keys, values preserved', () => {
  const out = JSON.parse(REPORTERS.json(input)) as Record<string, unknown> & { checks: Array<Record<string, unknown>>; findings: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(out), ['tool', 'version', 'target', 'startedAt', 'durationMs', 'checks', 'findings']);
  assert.equal(out.tool, 'wsguard');
  // A check that was not evaluated says why (skipped, error).
  for (const c of out.checks) assert.deepEqual(Object.keys(c), c.status === 'skipped' || c.status === 'error' ? ['id', 'status', 'durationMs', 'reason'] : ['id', 'status', 'durationMs']);
  assert.equal(out.checks.find((c) => c.id === 'WSG-AUTH-06')?.reason, 'intrusive check: enable with --intrusive');
  for (const f of out.findings) assert.deepEqual(Object.keys(f), ['checkId', 'title', 'severity', 'confidence', 'evidence', 'remediation', 'references']);
  assert.equal(out.findings[0]?.evidence, `alg none accepted: ${HOSTILE}`);
  assert.equal(out.checks.length, 5);
});

test('sarif: valid against the SARIF 2.1.0 schema subset; rules from metadata; levels by severity', () => {
  const schema = JSON.parse(readFileSync(new URL('../../fixtures/sarif-2.1.0-subset.schema.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);
  const log = JSON.parse(REPORTERS.sarif(input)) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string } }> } }; results: Array<{ ruleId: string; level: string; ruleIndex: number; locations: unknown[] }> }> };
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const run = log.runs[0];
  assert.ok(run);
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), sampleMetas.map((m) => m.id));
  assert.deepEqual(run.results.map((r) => r.level), ['error', 'error', 'note']);
  for (const r of run.results) {
    assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
    assert.ok(r.locations.length > 0, 'GitHub code scanning needs a location on every result');
  }
  for (const rule of run.tool.driver.rules) assert.ok(rule.shortDescription.text.length <= 1024);
  // The validator must be able to fail.
  assert.equal(validate({ version: '2.0.0', runs: [] }), false);
});

test('text: grouped by severity, evidence and remediation, one-line summary, no colour unless asked', () => {
  const plain = REPORTERS.text(input);
  assert.ok(plain.indexOf('CRITICAL (1)') < plain.indexOf('HIGH (1)'));
  assert.match(plain, /fix:\n\s+Verify signatures\./);
  assert.match(plain.trim().split('\n').at(-1) ?? '', /^3 findings \(1 critical, 1 high, 1 info\) · 5 checks: 1 pass, 2 fail, 1 error, 1 skipped · 1\.2 s$/);
  assert.ok(!plain.includes("\u001b["));
  assert.ok(REPORTERS.text({ ...input, color: true }).includes("\u001b["));
});

test('incomplete audit: every format says so, with the reason', () => {
  const report = { ...sampleReport, incomplete: { reason: '--max-time 30 s reached' } };
  const i = { report, metas: sampleMetas };
  const json = JSON.parse(REPORTERS.json(i)) as { incomplete?: boolean; incompleteReason?: string };
  assert.equal(json.incomplete, true);
  assert.equal(json.incompleteReason, '--max-time 30 s reached');
  assert.match(REPORTERS.text(i), /^INCOMPLETE: --max-time 30 s reached/m);
  assert.match(REPORTERS.text(i).trim().split('\n').at(-1) ?? '', /INCOMPLETE \(--max-time 30 s reached\)$/);
  const sarif = JSON.parse(REPORTERS.sarif(i)) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: Array<{ message: { text: string } }> }>; properties: { incomplete?: boolean } }> };
  assert.equal(sarif.runs[0]?.invocations[0]?.executionSuccessful, false);
  assert.match(sarif.runs[0]?.invocations[0]?.toolExecutionNotifications?.[0]?.message.text ?? '', /Incomplete audit: --max-time/);
  assert.equal(sarif.runs[0]?.properties.incomplete, true);
  assert.match(REPORTERS.junit(i), /<property name="incomplete" value="--max-time 30 s reached"\/>/);
  assert.match(REPORTERS.html(i), /id="incomplete"[^>]*><strong>Incomplete audit:<\/strong> --max-time 30 s reached/);
  // A complete report carries none of it.
  assert.doesNotMatch(REPORTERS.json(input) + REPORTERS.text(input) + REPORTERS.junit(input) + REPORTERS.html(input), /incomplete/i);
});

test('text: a target\'s line feeds cannot push a finding off the screen or fake report lines (blank runs collapsed, at most 40 lines)', () => {
  const flood = `ok${'\n'.repeat(200)}No findings.${'\nAll checks passed.'.repeat(100)}`;
  const f0 = sampleReport.findings[0]!;
  const report = { ...sampleReport, findings: [{ ...f0, evidence: flood }] };
  const out = REPORTERS.text({ report, metas: sampleMetas, color: false });
  const evidence = out.slice(out.indexOf('evidence:'));
  assert.ok(!/\n\s*\n\s*\n/.test(evidence.slice(0, evidence.indexOf('[cut:'))), 'no run of blank lines');
  assert.match(out, /…\[cut: \d+ more lines\]/);
  assert.ok((out.match(/All checks passed\./g) ?? []).length <= 40);
});
