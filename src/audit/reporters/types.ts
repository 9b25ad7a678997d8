/** What every reporter gets: the report, the metadata of the checks it covers, and the terminal. */
import type { AuditReport, CheckMeta } from '../types.js';

export interface ReportInput {
  report: AuditReport;
  /** Metadata of every check in report.checks (rules, titles). */
  metas: CheckMeta[];
  /** ANSI colours (text only; true only on a TTY). */
  color?: boolean;
}

export type Reporter = (input: ReportInput) => string;
