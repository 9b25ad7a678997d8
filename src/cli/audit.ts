/**
 * `wsguard audit <url>`: argument parsing, progress on a TTY, report rendering, exit codes
 * (0 nothing reaches --fail-on, 1 something does, 2 the audit could not run, 3 stopped by
 * --max-time or SIGINT/SIGTERM: the report of what was evaluated so far, marked incomplete).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { discoverEndpoints } from '../audit/discover.js';
import { failingFindings } from '../audit/fail-on.js';
import { listChecksMarkdown, listChecksText } from '../audit/list-checks.js';
import { parseAuditOptions, parseTarget, resolveOptions, type AuditOptionsInput } from '../audit/options.js';
import { concreteRequest } from '../audit/request-variant.js';
import { OPERATOR_FLAG_HELP, OPERATOR_FLAG_SPEC, operatorFlagOptions } from '../audit/operator-flags.js';
import { loadChecks } from '../audit/registry.js';
import { FORMATS, REPORTERS, type Format } from '../audit/reporters/index.js';
import { displaySafe, terminalSafeJson } from '../audit/reporters/sanitize.js';
import { AuditCannotRunError, runAudit, TargetUnreachableError } from '../audit/runner.js';
import { unknownSelectors } from '../audit/select.js';
import { progressReporter } from './audit-progress.js';
import { SEVERITIES, type AuditReport, type CheckModule, type Severity, type TokenPlacement } from '../audit/types.js';

const USAGE = `usage: wsguard audit <ws(s)://host/path> [options]
       wsguard audit --discover http(s)://host [options]
       wsguard audit --list-checks [--markdown]

output:      --format text|json|sarif|junit|html (text)   --output FILE   --fail-on ${SEVERITIES.join('|')} (high)
             --strict (tentative findings count for --fail-on too; by default only certain and likely ones do)
selection:   --only ID|AREA,...   --skip ID|AREA,...   --intrusive   --timeout SECONDS (per check, 20)
             --profile safe|intrusive (safe: the default; intrusive: the same as --intrusive)
time:        --max-time SECONDS (whole audit; then the report so far, marked incomplete, exit 3)
             --thorough (long observation windows: heartbeat 5 min, slowloris and stalled reader 2 min)
origin:      --origin URL (allowed origin, repeatable; default https://<host>)   --browser-only
credentials: --header 'Name: value' (repeatable)   --cookie 'k=v'   --token T   --token-in header|query|subprotocol|message
             --auth-message TEMPLATE ({{token}})   --subprotocol P (repeatable)   --ticket-cmd CMD   --ticket-ttl SECONDS
             --logout-cmd CMD   --short-token T   --expired-token T   --other-audience-token T
             --second-token T   --second-cookie 'k=v'   --second-header 'N: v' (second identity: must NOT be
             entitled to the first identity's data, e.g. not a member of its channel)
tls:         --ca FILE (extra trusted CA; NODE_EXTRA_CA_CERTS works too)   --insecure (skip certificate verification)
messages:    --canary MSG   --canary-expect REGEX   --message MSG|@FILE (repeatable)
protocol:    --protocol ws|socket.io   --engineio-path PATH   --namespace NSP   --idle-wait SECONDS   --concurrency N
liveness:    --liveness-window SECONDS (how long a silent target is probed before it is called down, 12)
${OPERATOR_FLAG_HELP}`;

class UsageError extends Error {}

const OPTIONS = {
  format: { type: 'string' }, output: { type: 'string' }, 'fail-on': { type: 'string' }, strict: { type: 'boolean' },
  only: { type: 'string', multiple: true }, skip: { type: 'string', multiple: true },
  intrusive: { type: 'boolean' }, profile: { type: 'string' }, timeout: { type: 'string' }, 'max-time': { type: 'string' }, thorough: { type: 'boolean' }, insecure: { type: 'boolean' },
  origin: { type: 'string', multiple: true }, 'browser-only': { type: 'boolean' },
  header: { type: 'string', multiple: true }, cookie: { type: 'string' }, token: { type: 'string' }, 'token-in': { type: 'string' },
  'auth-message': { type: 'string' }, subprotocol: { type: 'string', multiple: true },
  'ticket-cmd': { type: 'string' }, 'ticket-ttl': { type: 'string' }, 'logout-cmd': { type: 'string' },
  'second-token': { type: 'string' }, 'second-cookie': { type: 'string' }, 'second-header': { type: 'string', multiple: true },
  'short-token': { type: 'string' }, 'other-audience-token': { type: 'string' }, 'expired-token': { type: 'string' }, ca: { type: 'string' },
  canary: { type: 'string' }, 'canary-expect': { type: 'string' }, message: { type: 'string', multiple: true },
  protocol: { type: 'string' }, 'engineio-path': { type: 'string' }, namespace: { type: 'string' }, 'idle-wait': { type: 'string' }, concurrency: { type: 'string' },
  'liveness-window': { type: 'string' },
  'list-checks': { type: 'boolean' }, markdown: { type: 'boolean' }, discover: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds (got '${value}')`);
  return Math.round(n * 1000);
}

function readText(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--${name}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

function headerMap(name: string, values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of values ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--${name} must look like 'Name: value' (got '${h}')`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

/** --profile safe|intrusive: documented names for the default and --intrusive. */
function intrusiveOf(v: Values): boolean | undefined {
  const profile = oneOf<'safe' | 'intrusive'>('profile', v.profile, ['safe', 'intrusive'], v.intrusive ? 'intrusive' : 'safe');
  if (v.profile === 'safe' && v.intrusive) throw new UsageError('--profile safe contradicts --intrusive: give one of them');
  return v.profile === undefined ? v.intrusive : profile === 'intrusive';
}

/**
 * An unknown flag as one clear line with the nearest known one (Node's own message suggests
 * `-- "--flag"`, a positional argument, which no audit takes).
 */
function unknownFlag(e: unknown, known: string[]): UsageError | null {
  const err = e as { code?: string; message?: string };
  if (err.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return null;
  const flag = /'(-[^']*)'/.exec(err.message ?? '')?.[1] ?? '?';
  const bare = flag.replace(/^-+/, '').split('=')[0] ?? '';
  const near = bare ? closest(bare, known) : undefined;
  const hint = near && distance(bare, near) <= Math.max(2, Math.floor(bare.length / 3)) ? `; did you mean --${near}?` : '';
  return new UsageError(`unknown flag ${flag}${hint}`);
}

function toOptions(v: Values): AuditOptionsInput {
  const headers = headerMap('header', v.header);
  const tokenIn = oneOf<TokenPlacement>('token-in', v['token-in'], ['header', 'query', 'subprotocol', 'message'], 'header');
  const second = v['second-token'] || v['second-cookie'] || v['second-header']
    ? { headers: headerMap('second-header', v['second-header']), token: v['second-token'], cookie: v['second-cookie'], tokenIn, authMessage: v['auth-message'] }
    : undefined;
  const messages = (v.message ?? []).flatMap((m) => (m.startsWith('@') ? readText('message', m.slice(1)).split('\n').filter((l) => l.trim()) : [m]));
  // Ranges (--concurrency 1-32, a valid --canary-expect...) are checked by parseAuditOptions.
  const concurrency = v.concurrency === undefined ? undefined : Number(v.concurrency);
  return {
    credentials: {
      headers, cookie: v.cookie, token: v.token, authMessage: v['auth-message'], tokenIn,
    },
    secondIdentity: second,
    subprotocols: v.subprotocol,
    allowedOrigins: v.origin,
    browserOnly: v['browser-only'],
    ticketCmd: v['ticket-cmd'], ticketTtlMs: seconds('ticket-ttl', v['ticket-ttl']), logoutCmd: v['logout-cmd'],
    shortToken: v['short-token'], expiredToken: v['expired-token'], otherAudienceToken: v['other-audience-token'], ca: v.ca === undefined ? undefined : readText('ca', v.ca),
    canary: v.canary, canaryExpect: v['canary-expect'], messages: messages.length ? messages : undefined,
    protocol: v.protocol === undefined ? undefined : oneOf<'ws' | 'socket.io'>('protocol', v.protocol, ['ws', 'socket.io'], 'ws'),
    engineioPath: v['engineio-path'],
    namespace: v.namespace,
    intrusive: intrusiveOf(v), only: list(v.only), skip: list(v.skip),
    timeoutMs: seconds('timeout', v.timeout), idleWaitMs: seconds('idle-wait', v['idle-wait']), concurrency,
    livenessWindowMs: seconds('liveness-window', v['liveness-window']),
    maxTimeMs: seconds('max-time', v['max-time']), thorough: v.thorough, insecure: v.insecure,
  };
}


/** Several reports (from --discover) in one output: json array, sarif runs, text/junit/html concatenated. */
function renderAll(format: Format, reports: AuditReport[], checks: CheckModule[], color: boolean): string {
  const metasFor = (r: AuditReport) => r.checks.map((c) => checks.find((m) => m.meta.id === c.id)?.meta).filter((m) => m !== undefined);
  const one = (r: AuditReport) => REPORTERS[format]({ report: r, metas: metasFor(r), color });
  if (reports.length === 1 && reports[0]) return one(reports[0]);
  if (format === 'json') return `[\n${reports.map(one).join(',\n')}\n]`;
  if (format === 'sarif') {
    const logs = reports.map((r) => JSON.parse(one(r)) as { runs: unknown[] });
    return terminalSafeJson(JSON.stringify({ ...logs[0], runs: logs.flatMap((l) => l.runs) }, null, 2));
  }
  return reports.map(one).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const spec = { ...OPTIONS, ...OPERATOR_FLAG_SPEC };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof spec; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (e) {
    throw unknownFlag(e, Object.keys(spec)) ?? e;
  }
  const { values, positionals } = parsed;
  const v = values as Values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const checks = await loadChecks();
  if (v['list-checks']) {
    const metas = checks.map((c) => c.meta);
    process.stdout.write(`${v.markdown ? listChecksMarkdown(metas) : listChecksText(metas)}\n`);
    return 0;
  }
  const format = oneOf<Format>('format', v.format, FORMATS, 'text');
  const failOn = oneOf<Severity>('fail-on', v['fail-on'], SEVERITIES, 'high');
  let options: AuditOptionsInput;
  try {
    options = { ...toOptions(v), ...operatorFlagOptions(values) };
    // Every option checked once, before discovery or the first connection: a bad one is one line naming its flag.
    parseAuditOptions(options);
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  const bad = unknownSelectors(checks, [...(options.only ?? []), ...(options.skip ?? [])]);
  if (bad.length) throw new UsageError(`--only/--skip: no check or area named ${bad.join(', ')}`);
  let targets: URL[];
  if (v.discover) {
    if (positionals.length) throw new UsageError('give either a target URL or --discover, not both');
    const creds = concreteRequest(new URL('ws://discover.invalid/'), resolveOptions(new URL('ws://discover.invalid/'), options), { origin: null }).headers;
    targets = await discoverEndpoints(v.discover, options.allowedOrigins?.[0], 3000, creds).catch((e: Error) => { throw new TargetUnreachableError(e.message); });
    if (!targets.length) throw new TargetUnreachableError(`no WebSocket endpoint found at common paths of ${v.discover}`);
    process.stderr.write(`discovered: ${displaySafe(targets.map((t) => t.href).join(' '))}\n`);
  } else {
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one target URL expected, got ${positionals.length}` : 'missing target URL');
    try {
      targets = [parseTarget(positionals[0] ?? '', options.protocol, options.engineioPath)];
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (options.insecure && targets.some((t) => t.protocol === 'wss:')) process.stderr.write('wsguard audit: warning: --insecure: the target\'s certificate is not verified (anyone on the path could be answering)\n');
  const reports: AuditReport[] = [];
  // SIGINT/SIGTERM and --max-time end the audit with the report of what was evaluated so far;
  // a second signal exits at once.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const end = options.maxTimeMs ? Date.now() + options.maxTimeMs : undefined;
  try {
    for (const target of targets) {
      if (stop.signal.aborted || (end !== undefined && Date.now() >= end)) break;
      // The first endpoint gets the operator's --max-time as given (its message quotes it); later
      // ones what is left of it.
      const maxTimeMs = end === undefined ? undefined : reports.length === 0 ? options.maxTimeMs : Math.max(1, end - Date.now());
      const progress = progressReporter(Boolean(process.stderr.isTTY), (line) => process.stderr.write(line));
      try {
        const { report } = await runAudit(target, { ...options, maxTimeMs }, { checks, onProgress: progress.onProgress, signal: stop.signal });
        reports.push(report);
        progress.stop();
      } finally {
        progress.stop(false); // a failed audit ends with its one error line only
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const stoppedEarly = reports.length < targets.length || reports.some((r) => r.incomplete);
  const color = !v.output && Boolean(process.stdout.isTTY) && format === 'text';
  const out = renderAll(format, reports, checks, color);
  if (v.output) writeFileSync(v.output, out.endsWith('\n') ? out : `${out}\n`);
  else process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  if (stoppedEarly) {
    const why = reports.find((r) => r.incomplete)?.incomplete?.reason ?? (stop.signal.aborted ? (stop.signal.reason as Error).message : '--max-time reached');
    process.stderr.write(`wsguard audit: incomplete: ${displaySafe(why, { max: 500 })}${reports.length < targets.length ? ` (${targets.length - reports.length} endpoint(s) not audited)` : ''}\n`);
    return 3;
  }
  return reports.some((r) => failingFindings(r, failOn, Boolean(v.strict)).length > 0) ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const known = e instanceof UsageError || e instanceof AuditCannotRunError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // Error text may quote the target (a status line, a header): shown safely, one line.
    console.error(`wsguard audit: ${displaySafe(msg.split('\n')[0] ?? '', { max: 500 })}${e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? " (see 'wsguard audit --help')" : ''}`);
    if (!known && process.env.WSGUARD_DEBUG) console.error(displaySafe(e instanceof Error ? e.stack ?? msg : msg, { multiline: true, max: 20_000 }));
    return 2;
  }
}
