/** Scores one audit report against a corpus target's ground truth. */
import type { AuditReport, Finding } from '../../src/audit/types.js';
import type { CorpusTarget, Weakness } from './targets.js';

/** A finding that claims a weakness (see targets.ts): low or above, not tentative. */
export function claims(f: Finding): boolean {
  return f.severity !== 'info' && f.confidence !== 'tentative';
}

export interface Score {
  /** Stated weaknesses this profile can show. */
  expected: Weakness[];
  found: Weakness[];
  missed: Weakness[];
  /** Claims no stated weakness backs. */
  unexpected: Finding[];
}

/** A claim that the target went down after the check: it backs only a stated crash. */
const CRASH = /crash-class|no longer completes a baseline handshake|stops answering/i;

/**
 * WSG-LIVE-01/02 file a crash (or a slow recovery) under their own id, naming the check whose
 * input came before it ("After WSG-LIMIT-09 (input: …)"): that backs the named check's stated
 * crash, and nothing else (a crash blamed on another check is a wrong claim).
 */
const LIVE_AFTER = /^After (WSG-[A-Z]+-\d+)\b/;

function backs(f: Finding, w: Weakness): boolean {
  if (f.checkId === 'WSG-LIVE-01' || f.checkId === 'WSG-LIVE-02') return w.crash === true && LIVE_AFTER.exec(f.evidence)?.[1] === w.check;
  return f.checkId === w.check && (!CRASH.test(f.evidence) || w.crash === true);
}

export function score(t: CorpusTarget, report: AuditReport, intrusive: boolean): Score {
  const expected = t.weaknesses.filter((w) => intrusive || !w.intrusive);
  const claimed = report.findings.filter(claims);
  const found = expected.filter((w) => claimed.some((f) => backs(f, w)));
  return {
    expected,
    found,
    missed: expected.filter((w) => !found.includes(w)),
    unexpected: claimed.filter((f) => !t.weaknesses.some((w) => backs(f, w))),
  };
}
