/**
 * The shape of a wsguard lint rule: an ESLint rule whose `meta.docs` also carries what the
 * generated doc page, the SARIF reporter and `--fail-on` need (severity, checks.md ids, CWE, fix,
 * known false positives). Types only: the plugin never imports eslint at run time.
 */
import type { Rule } from 'eslint';
import type { Severity } from '../audit/types.js';

export interface WsgRuleDocs {
  /** One sentence: what the rule catches. */
  description: string;
  recommended: true;
  url: string;
  /** Severity of a finding (drives SARIF level and `wsguard lint --fail-on`). */
  severity: Exclude<Severity, 'info' | 'critical'>;
  /** The docs/checks.md ids this rule mirrors statically (empty when none does). */
  checks: string[];
  /** e.g. CWE-1385. */
  cwe: string;
  /** How to fix a finding, one or two sentences. */
  fix: string;
  /** What the rule looks at, in a few sentences (the doc page's "How it decides"). */
  details: string;
  /** Shapes it reports although they are safe, or misses although they are not. */
  falsePositives: string[];
  limits: string[];
  /** A short insecure snippet and its fixed version, for the doc page. */
  example: { bad: string; good: string };
}

export interface WsgRule extends Rule.RuleModule {
  meta: Rule.RuleMetaData & { docs: WsgRuleDocs; type: 'problem'; messages: Record<string, string> };
}

export const DOCS_BASE = 'https://github.com/wsguard/wsguard/blob/main/docs/lint/';
