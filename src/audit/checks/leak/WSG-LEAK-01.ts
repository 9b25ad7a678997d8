import type { CheckContext, CheckMeta } from '../../types.js';
import { echoChecker, inbound, short, where } from './traffic-scan.js';

export const meta: CheckMeta = {
  id: 'WSG-LEAK-01',
  title: 'Error details leaked',
  area: 'LEAK',
  severity: 'medium',
  mode: 'safe',
  passive: true,
  references: ['ZAP-110001', 'ZAP-110003', 'ASVS 16.5.1', 'ASVS 13.4.2'],
  remediation: 'Send clients generic errors ("invalid message") and standard close codes with short reasons; log stack traces, SQL and paths server-side only.',
  description: 'Passive: scans every server frame, close reason and non-101 HTTP answer recorded by the other checks for stack traces (Node.js, Python, Go, Java, .NET, PHP, Ruby), error class names, SQL errors and SQL text, and internal file paths (ZAP-110001/110003 style). Text that merely echoes what the auditor sent is ignored.',
};

const PATTERNS: Array<[string, RegExp]> = [
  ['Node.js stack frame', /\bat (?:Object\.<anonymous>|[\w$.<>]+ \((?:file:\/\/)?[\w./\\:-]+:\d+:\d+\))/],
  ['JavaScript error', /\b(?:TypeError|ReferenceError|SyntaxError|RangeError): \S.{0,40}/],
  ['Python traceback', /Traceback \(most recent call last\)/],
  ['Go panic', /\bgoroutine \d+ \[\w+|\bpanic: .{0,40}/],
  ['Java exception', /\bjava\.(?:lang|io|sql|util)\.\w+(?:Exception|Error)|\bat [\w$.]+\([\w$]+\.java:\d+\)/],
  ['.NET exception', /\bSystem\.[\w.]+Exception|Exception Details:|Server Error in '\/' Application/],
  ['PHP error', /(?:Fatal error|Parse error|Warning): .{0,60} on line \d+/],
  ['Ruby error', /\.rb:\d+:in `/],
  ['SQL error', /SQLSTATE\[|\bORA-\d{5}|You have an error in your SQL syntax|syntax error at or near|unterminated quoted string|SQLITE_ERROR|PG::\w+Error|Microsoft OLE DB Provider/i],
  ['SQL text', /\b(?:SELECT\s+[\w*, ."`]+?\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s+[\w."`]+/i],
  // A source file under a server directory, not a URL path (nothing host-like just before it).
  ['internal file path', /(?<![\w.:-])\/(?:home|usr|var|srv|opt|app|root)(?:\/[\w.-]+)+\.(?:js|mjs|cjs|ts|py|go|java|rb|php|cs)\b|\b[A-Z]:\\(?:Users|inetpub|Program Files|Windows)\\[\w\\ .-]+/],
];

export async function run(ctx: CheckContext): Promise<void> {
  const echoed = echoChecker(ctx);
  const found = new Map<string, string>();
  for (const e of inbound(ctx, ['frame', 'close', 'http'])) {
    for (const [label, re] of PATTERNS) {
      if (found.has(label)) continue;
      const m = re.exec(e.text);
      if (m && !echoed(m[0])) found.set(label, `${label} in a ${where(e)}: "${short(m[0], 70)}"`);
    }
  }
  if (found.size) ctx.report({ confidence: 'certain', evidence: [...found.values()].slice(0, 5).join('; ') });
}
