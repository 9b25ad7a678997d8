/** A fixed report for reporter tests, with hostile strings to prove escaping. */
import type { AuditReport, CheckMeta } from '../../../src/audit/types.js';

export const HOSTILE = '<script>alert("x")</script> & \'quote\' \u0001';

export const sampleMetas: CheckMeta[] = [
  { id: 'WSG-ORIGIN-01', title: 'Foreign Origin accepted (CSWSH)', area: 'ORIGIN', severity: 'high', mode: 'safe', references: ['CWE-1385', 'RFC6455 §10.2'], remediation: 'Exact Origin allowlist.', description: 'Probe with a foreign Origin.' },
  { id: 'WSG-AUTH-02', title: 'Forged, tampered or expired token accepted', area: 'AUTH', severity: 'critical', mode: 'safe', references: ['ASVS 9.1.1'], remediation: 'Verify signatures.', description: 'Forged tokens.' },
  { id: 'WSG-SESSION-03', title: 'No heartbeat / idle limit', area: 'SESSION', severity: 'low', mode: 'safe', references: ['RFC6455 §5.5.2'], remediation: 'Ping.', description: 'Idle socket.' },
  { id: 'WSG-AUTH-06', title: 'No throttling of auth failures', area: 'AUTH', severity: 'medium', mode: 'intrusive', references: ['ASVS 2.4.1'], remediation: 'Throttle.', description: 'Brute force.' },
  { id: 'WSG-TLS-02', title: 'Weak TLS versions or suites on wss', area: 'TLS', severity: 'medium', mode: 'safe', references: ['ASVS 12.1.1'], remediation: 'TLS 1.2+.', description: 'Weak TLS.' },
];

export const sampleReport: AuditReport = {
  tool: 'wsguard',
  version: '0.1.0',
  target: 'ws://127.0.0.1:8080/ws',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  checks: [
    { id: 'WSG-ORIGIN-01', status: 'fail', durationMs: 12 },
    { id: 'WSG-AUTH-02', status: 'fail', durationMs: 40 },
    { id: 'WSG-SESSION-03', status: 'pass', durationMs: 300 },
    { id: 'WSG-AUTH-06', status: 'skipped', durationMs: 0, reason: 'intrusive check: enable with --intrusive' },
    { id: 'WSG-TLS-02', status: 'error', durationMs: 5, reason: `boom ${HOSTILE}` },
  ],
  findings: [
    { checkId: 'WSG-AUTH-02', title: 'Forged, tampered or expired token accepted', severity: 'critical', confidence: 'certain', evidence: `alg none accepted: ${HOSTILE}`, remediation: 'Verify signatures.', references: ['ASVS 9.1.1'] },
    { checkId: 'WSG-ORIGIN-01', title: 'Foreign Origin accepted (CSWSH)', severity: 'high', confidence: 'certain', evidence: 'Origin: https://wsguard-probe.example → 101', remediation: 'Exact Origin allowlist.', references: ['CWE-1385', 'RFC6455 §10.2'] },
    { checkId: 'WSG-ORIGIN-01', title: 'Foreign Origin accepted (CSWSH)', severity: 'info', confidence: 'tentative', evidence: 'second finding', remediation: 'x', references: ['CWE-1385'] },
  ],
};
