import { ask, fill, fillValue, injectionTemplates, liveSocket, short } from './inject.js';
import { inputOptions } from '../../options.js';
import { reportIfDown } from '../limit/liveness.js';
import type { AuditOptions, AuditSocket, CheckContext, CheckMeta, Severity } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-INPUT-02',
  title: 'Server-side injection via message fields',
  area: 'INPUT',
  severity: 'high',
  mode: 'intrusive',
  references: ['OWASP-CS', 'WSTG step 6', 'ZAP-110001', 'S12 (Spring CVE-2018-1270)'],
  remediation: 'Validate message fields against typed schemas and use parameterised queries, no shell, no template or expression evaluation of client data.',
  description: "Injects SQL (', ' OR '1'='1), NoSQL ({\"$ne\":null}), command (;id, |sleep 5) and template ({{7*7}}, ${7*7}) payloads into the operator messages' injection points ({{payload}} marker, else every string leaf of a JSON message at any depth except its type field, or a whole plain-text message, replaced and appended to) and compares each reply with a benign one. Finding: an error signature (ZAP-110001 family), 49 from evaluation, uid= output, or a ≥ 5 s delay reproduced 3 times; critical for command execution.",
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** ZAP-110001-style error signatures (SQL, NoSQL, shell, template engines). */
const SIGNATURES: Array<[RegExp, string]> = [
  [/you have an error in your sql syntax|warning: mysql|mysql_fetch|mysqli?_/i, 'MySQL error'],
  [/sqlstate\[|syntax error at or near|unterminated quoted string|pg_query|psqlexception/i, 'PostgreSQL/PDO error'],
  [/sqlite(?:3)?[._ ]?(?:error|exception|operationalerror)|sqlite_error|unrecognized token/i, 'SQLite error'],
  [/ora-\d{5}|microsoft ole db|odbc (?:sql server )?driver|unclosed quotation mark|sqlexception/i, 'SQL Server/Oracle/ODBC error'],
  [/mongo(?:server)?error|casterror|\$where|bson/i, 'MongoDB error'],
  [/sh: \d*:? ?\w+: not found|\/bin\/sh|command not found/i, 'shell error'],
  [/templatesyntaxerror|jinja2|freemarker|velocity|thymeleaf|spelevaluationexception/i, 'template engine error'],
];

const TEXT_PAYLOADS = ["'", "' OR '1'='1", ';id', '{{7*7}}', '${7*7}'];

export function timeoutMs(o: AuditOptions): number {
  return 30_000 + inputOptions(o).sleepMs * 4;
}

async function probe(ctx: CheckContext): Promise<void> {
  const templates = injectionTemplates(ctx.options.messages);
  if (!templates.length) ctx.skip('needs --message: a JSON message with a string field, a plain-text message, or a {{payload}} marker');
  const { sleepMs } = inputOptions(ctx.options);
  const wait = ctx.options.canaryWaitMs;
  let s: AuditSocket | null = null;
  const send = async (msg: string, timeout = wait) => { s = await liveSocket(ctx, s); return ask(ctx, s, msg, timeout); };
  const found: Array<{ severity: Severity; text: string }> = [];

  for (const t of templates) {
    const benign = await send(fill(t, 'wsgbenign'));
    if (!benign.replies.length) continue; // nothing to compare with
    const benignText = benign.replies.join('\n');
    const probes = TEXT_PAYLOADS.map((p) => [p, fill(t, p)] as const);
    const nosql = fillValue(t, '{"$ne":null}');
    if (nosql) probes.push(['{"$ne":null}', nosql]);
    for (const [p, msg] of probes) {
      const text = (await send(msg)).replies.join('\n');
      for (const [re, name] of SIGNATURES) {
        const m = re.exec(text);
        if (m && !re.test(benignText)) found.push({ severity: 'high', text: `${p} → ${name}: "${short(m[0], 60)}"` });
      }
      if (/\{\{7\*7\}\}|\$\{7\*7\}/.test(p) && /\b49\b/.test(text) && !/\b49\b/.test(benignText)) found.push({ severity: 'critical', text: `${p} → evaluated to 49 (template/expression injection)` });
      if (p === ';id' && /uid=\d+\(/.test(text)) found.push({ severity: 'critical', text: `${p} → command output "uid=…"` });
    }
    // Timing: a sleep payload must be slower by ~sleepMs, three times in a row.
    const sleep = fill(t, `|sleep ${Math.round(sleepMs / 1000)}`);
    let slow = 0;
    for (let i = 0; i < 3; i++) {
      const r = await send(sleep, benign.ms + sleepMs + wait);
      if (r.replies.length && r.ms - benign.ms >= sleepMs * 0.9) slow++;
      else break;
    }
    if (slow === 3) found.push({ severity: 'critical', text: `|sleep payload → reply delayed ≥ ${sleepMs} ms, 3 times out of 3` });
  }
  if (!found.length) return;
  const severity = found.some((f) => f.severity === 'critical') ? 'critical' : 'high';
  ctx.report({ severity, confidence: 'certain', evidence: short([...new Set(found.map((f) => f.text))].join('; '), 500) });
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the injection payloads');
}
