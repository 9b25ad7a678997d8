/**
 * The auditor against real third-party servers (test/corpus): the safe profile, on its
 * defaults, finds each server's stated weaknesses (its docs, changelog or advisories) and
 * claims nothing else, reaches the cookie-authenticated one, and leaves every server alive.
 * A few targets run here (in parallel, to keep CI time modest); `npm run audit:corpus` runs
 * all of them with both profiles and writes the numbers into docs/audit.md.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { loadChecks } from '../../src/audit/registry.js';
import { runAudit } from '../../src/audit/runner.js';
import { CORPUS } from '../corpus/targets.js';
import { missing, startTarget } from '../corpus/start.js';
import { score } from '../corpus/score.js';

const checks = await loadChecks();
const known = new Set(checks.map((c) => c.meta.id));

const targets = CORPUS.filter((x) => x.ci);

// The targets run side by side: each safe audit mostly waits on its ~30 s observations.
test('corpus: safe profile on each CI target', { concurrency: targets.length }, async (t) => {
  await Promise.all(targets.map((target) => auditOne(t, target)));
});

async function auditOne(parent: TestContext, t: (typeof CORPUS)[number]): Promise<void> {
  const why = missing(t);
  // CI installs the corpus (.ci/run); elsewhere a missing install is reported, not hidden.
  const skip = why && !process.env.CI ? `${why}` : false;
  await parent.test(`${t.name} (${t.software}): finds the stated weaknesses and nothing else`, { skip }, async () => {
    assert.equal(why, null, `${t.name}: ${why}`);
    const server = await startTarget(t);
    try {
      const { report } = await runAudit(new URL(server.url), t.audit, { checks });
      const s = score(t, report, false);
      const summary = report.findings.map((f) => `${f.severity}/${f.confidence} ${f.checkId}`).join(', ');
      // Weaknesses whose check exists must be found (the rest wait for their check, e.g. WSG-FINGER-03).
      assert.deepEqual(s.missed.filter((w) => known.has(w.check)).map((w) => w.check), [], `missed; findings: ${summary}`);
      assert.deepEqual(s.unexpected.map((f) => `${f.severity} ${f.checkId}: ${f.evidence.slice(0, 160)}`), [], 'claims no stated weakness backs');
      assert.ok(report.checks.some((c) => c.status === 'pass'), 'the audit really ran');
      assert.ok(!report.checks.some((c) => c.status === 'error'), JSON.stringify(report.checks.filter((c) => c.status === 'error')));
      assert.ok(server.alive(), 'the safe profile must not take a server down');
    } finally {
      await server.close();
    }
  });
}
