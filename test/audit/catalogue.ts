/**
 * The check catalogue's ids. CHECKS.md (the project's shared specification, kept outside this
 * repository at ../shared/CHECKS.md) lists 50 checks in section A; this snapshot is what the
 * registry test holds the code to, and that test also compares the snapshot with CHECKS.md
 * whenever the file is reachable (WSGUARD_CHECKS_MD or ../shared/CHECKS.md).
 */
export const CATALOGUE_IDS = [
  'WSG-TLS-01', 'WSG-TLS-02', 'WSG-TLS-03',
  'WSG-ORIGIN-01', 'WSG-ORIGIN-02', 'WSG-ORIGIN-03', 'WSG-ORIGIN-04', 'WSG-ORIGIN-05', 'WSG-ORIGIN-06',
  'WSG-AUTH-01', 'WSG-AUTH-02', 'WSG-AUTH-03', 'WSG-AUTH-04', 'WSG-AUTH-05', 'WSG-AUTH-06',
  'WSG-AUTHZ-01', 'WSG-AUTHZ-02', 'WSG-AUTHZ-03',
  'WSG-SESSION-01', 'WSG-SESSION-02', 'WSG-SESSION-03', 'WSG-SESSION-04',
  'WSG-INPUT-01', 'WSG-INPUT-02', 'WSG-INPUT-03', 'WSG-INPUT-04',
  'WSG-LIMIT-01', 'WSG-LIMIT-02', 'WSG-LIMIT-03', 'WSG-LIMIT-04', 'WSG-LIMIT-05', 'WSG-LIMIT-06', 'WSG-LIMIT-07', 'WSG-LIMIT-08', 'WSG-LIMIT-09',
  'WSG-PROTO-01', 'WSG-PROTO-02', 'WSG-PROTO-03', 'WSG-PROTO-04', 'WSG-PROTO-05', 'WSG-PROTO-06', 'WSG-PROTO-07', 'WSG-PROTO-08',
  'WSG-LEAK-01', 'WSG-LEAK-02', 'WSG-LEAK-03', 'WSG-LEAK-04',
  'WSG-FINGER-01', 'WSG-FINGER-02', 'WSG-FINGER-03',
] as const;

/**
 * Checks this project added beyond CHECKS.md, each with its reason. CHECKS.md's "Liveness"
 * convention made a crash a finding of whichever check ran before; issue 17 showed that files
 * crashes under the wrong check (an XSS that never happened), so liveness has its own ids.
 */
export const ADDED_IDS: Record<string, string> = {
  'WSG-LIVE-01': 'issue 17: a crash is its own finding, naming the check and input before it',
  'WSG-LIVE-02': 'issue 17: a target that recovers within the back-off is slow, not crashed',
};

/** Section A ids of a CHECKS.md text. */
export function idsOfChecksMd(md: string): string[] {
  const a = md.indexOf('## A.');
  const b = md.indexOf('## B.', a);
  return [...md.slice(a, b < 0 ? undefined : b).matchAll(/^\| (WSG-[A-Z]+-\d+) \|/gm)].map((m) => m[1] ?? '');
}
