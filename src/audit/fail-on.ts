/**
 * Which findings decide the exit code. A tentative finding is a lead for a human, not a verdict:
 * it does not fail a CI job unless the operator asks for that with --strict.
 */
import { SEVERITIES, type AuditReport, type Finding, type Severity } from './types.js';

export function failingFindings(report: AuditReport, failOn: Severity, strict = false): Finding[] {
  const min = SEVERITIES.indexOf(failOn);
  return report.findings.filter((f) => SEVERITIES.indexOf(f.severity) >= min && (strict || f.confidence !== 'tentative'));
}
