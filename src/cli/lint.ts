/**
 * `wsguard lint [paths]`: static WebSocket security checks of JavaScript/TypeScript code with
 * the wsguard ESLint rules (no ESLint config needed). Exit codes as `wsguard audit`: 0 nothing
 * reaches --fail-on, 1 something does, 2 the lint could not run (usage, missing ESLint, parse errors).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '../audit/types.js';

const USAGE = `usage: wsguard lint [paths...] [options]     (default path: .)

Checks WebSocket server and client code (ws, Socket.IO, http upgrade handlers) with the
wsguard ESLint rules; see docs/lint.md. Needs eslint (9+) installed, and typescript-eslint
for .ts files.

  --format text|json|sarif   output format (text)
  --output FILE              write the report to FILE instead of stdout
  --fail-on ${SEVERITIES.join('|')}   exit 1 when a finding is at least this severe (medium)
  --ignore GLOB              skip files matching GLOB (repeatable; node_modules, dist, build,
                             coverage, vendor, *.min.js and *.d.ts are always skipped)
  --list-rules               print the rules and exit`;

class UsageError extends Error {}

const OPTIONS = {
  format: { type: 'string' }, output: { type: 'string' }, 'fail-on': { type: 'string' },
  ignore: { type: 'string', multiple: true }, 'list-rules': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const { LINT_FORMATS, LINT_REPORTERS } = await import('../lint/report.js');
  if (v['list-rules']) {
    const { rules, PLUGIN_NAME } = await import('../lint/index.js');
    for (const [name, r] of Object.entries(rules)) {
      const d = r.meta.docs;
      console.log(`${`${PLUGIN_NAME}/${name}`.padEnd(40)} ${d.severity.padEnd(7)} ${[...d.checks, d.cwe].join(', ')}`);
    }
    return 0;
  }
  const format = oneOf('format', v.format, LINT_FORMATS, 'text');
  const failOn = oneOf<Severity>('fail-on', v['fail-on'], SEVERITIES, 'medium');
  const { lintPaths } = await import('../lint/run.js');
  quietEslintEnvWarnings();
  const report = await lintPaths(positionals.length ? positionals : ['.'], { ignore: v.ignore ?? [] });
  const out = LINT_REPORTERS[format](report);
  if (v.output) writeFileSync(v.output, `${out}\n`);
  else process.stdout.write(`${out}\n`);
  if (report.missing.length) console.error(`wsguard lint: no such file or directory: ${report.missing.join(', ')}`);
  if (report.errors.length) console.error(`wsguard lint: ${report.errors.length} file${report.errors.length === 1 ? '' : 's'} could not be parsed (first: ${report.errors[0]!.file}: ${report.errors[0]!.message})`);
  if (report.missing.length || report.errors.length) return 2;
  const min = SEVERITIES.indexOf(failOn);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) >= min) ? 1 : 0;
}

/** ESLint warns (once per file) about `/* eslint-env *\/` comments in the user's code: not ours to report. */
function quietEslintEnvWarnings(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type !== 'ESLintEnvWarning') emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const { LintSetupError } = await import('../lint/run.js').catch(() => ({ LintSetupError: class {} }));
    console.error(`wsguard lint: ${msg.split('\n')[0]}${usage ? " (see 'wsguard lint --help')" : ''}`);
    if (!usage && !(e instanceof LintSetupError) && process.env.WSGUARD_DEBUG) console.error(e);
    return 2;
  }
}
