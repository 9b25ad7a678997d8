/**
 * Credentials never appear in a report: the operator's cookies and every session cookie the target
 * issued, in every format, whatever a check writes into its evidence (real Mojolicious app, whose
 * signed session cookies are replayable as they are).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { REPORTERS, FORMATS } from '../../src/audit/reporters/index.js';
import { Redactor, redactedForm } from '../../src/audit/redact.js';
import { runAudit } from '../../src/audit/runner.js';
import { MemoryTrafficRecorder } from '../../src/audit/traffic.js';
import type { CheckModule } from '../../src/audit/types.js';
import { loadCheck } from './harness.js';
import { mojoMissing, startMojo, type MojoServer } from '../fixtures/mojo-server.js';

const skip = mojoMissing();
let mojo: MojoServer | undefined;
after(() => mojo?.close());

/** A check that writes every secret it can see into its evidence, verbatim and cut short. */
const leaky: CheckModule = {
  meta: { id: 'WSG-TEST-99', title: 'leaky', area: 'LEAK', severity: 'info', mode: 'safe', references: [], remediation: 'none', description: 'writes secrets into evidence' },
  async run(ctx) {
    const r = await ctx.handshake();
    const issued = (r.response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '');
    const cookie = ctx.options.credentials.cookie ?? '';
    ctx.report({ confidence: 'certain', evidence: `operator ${cookie}; issued ${issued.join(', ')}; cut ${cookie.slice(0, 60)}; tampered ${cookie.slice(0, -1)}x` });
    ctx.observed(cookie);
  },
};

function secretsIn(out: string, secrets: string[]): string[] {
  // The signature alone (the part after `--`) is what makes a Mojolicious cookie replayable.
  return secrets.flatMap((s) => [s, s.split('--').at(-1) ?? s]).filter((s) => s.length >= 12 && out.includes(s));
}

test('redaction: no operator cookie and no issued session cookie in any format (real Mojolicious app)', { skip }, async () => {
  mojo = await startMojo();
  const traffic = new MemoryTrafficRecorder();
  const checks = [leaky, ...(await Promise.all(['WSG-SESSION-04', 'WSG-LEAK-04', 'WSG-FINGER-03', 'WSG-AUTH-02'].map(loadCheck)))];
  const { report } = await runAudit(new URL(mojo.url), {
    allowedOrigins: [mojo.origin], credentials: { cookie: mojo.alice }, secondIdentity: { cookie: mojo.bob },
    canary: '{"type":"whoami"}', canaryExpect: '"user"', requestTimeoutMs: 3000, canaryWaitMs: 800,
  }, { checks, traffic });
  const issued = traffic.entries().flatMap((e) => (e.headers?.['set-cookie'] ?? []).map((c) => (c.split(';')[0] ?? '').replace(/^[^=]*=/, '')));
  assert.ok(issued.length >= 10, 'the app issues a fresh signed cookie on every answer');
  const secrets = [mojo.alice.replace(/^[^=]*=/, ''), mojo.bob.replace(/^[^=]*=/, ''), ...issued];
  assert.ok(report.findings.some((f) => f.checkId === 'WSG-TEST-99'), 'the leaky check reported');
  for (const format of FORMATS) {
    const out = REPORTERS[format]({ report, metas: checks.map((c) => c.meta) });
    assert.deepEqual(secretsIn(out, secrets).map(redactedForm), [], `${format} output holds a session cookie`);
  }
  // Redacted, not dropped: the reader still sees which value, by prefix and length.
  const evidence = report.findings.find((f) => f.checkId === 'WSG-TEST-99')?.evidence ?? '';
  assert.match(evidence, /operator mojolicious=eyJleH…\(\d+ chars\)/);
});

test('Redactor: whole, cut, tampered and URL-encoded copies go; short values and other text stay', () => {
  const secret = 's:zykI_EZIcyCUaXV4mLRy2YmbKV2H0VLI.GeOITbyOkqvw5SHDXdog9QLKOuFUDqOs2lPZElWHu84';
  const r = new Redactor([secret, 'abc']);
  const text = `a ${secret} b ${secret.slice(0, 30)} c ${secret.slice(0, -1)}Z d ${encodeURIComponent(secret)} abc e`;
  const out = r.redact(text);
  assert.equal(out.includes('GeOITbyOkqvw'), false, out);
  assert.equal(out.includes('zykI_EZIcyCU'), false, out);
  assert.match(out, /^a s:zykI…\(78 chars\) b s:zykI…\(78 chars\) c s:zykI…\(78 chars\)Z d s%3Azy…\(80 chars\) abc e$/);
});

test('Redactor: two secrets sharing a start (two signed cookies of one app) leave nothing of either', () => {
  const a = `eyJleHBpcmVzIjoxNzk2NDI0MzY2${'Wlpa'.repeat(20)}--96b65602e774dd703f3ca0f2e1cb3f5b`;
  const b = `eyJleHBpcmVzIjoxNzk2NDI0OTk5${'Wlpa'.repeat(20)}--43f6b1e0b9c0066fe23a4d6a68a0f3b5`;
  const out = new Redactor([a, b]).redact(`x=${a} y=${b} z=${b.slice(0, 40)}`);
  assert.equal(/96b656|43f6b1|Wlpa/.test(out), false, out);
});
