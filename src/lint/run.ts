/**
 * Runs ESLint with only the wsguard rules over some paths (no user ESLint config needed) and
 * turns its results into a LintReport. ESLint and typescript-eslint are optional peer
 * dependencies: they are loaded here, lazily, from wsguard's own install or the project's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ESLint as ESLintClass, Linter } from 'eslint';
import type { Severity } from '../audit/types.js';
import { toolVersion } from '../audit/version.js';
import plugin, { PLUGIN_NAME, rules } from './index.js';

export interface LintFinding {
  /** `wsguard/<rule>`. */
  rule: string;
  severity: Severity;
  /** Relative to the working directory, `/`-separated. */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  checks: string[];
  cwe: string;
  /** The source line, trimmed (fingerprints). */
  source?: string;
}

export interface LintReport {
  tool: 'wsguard';
  command: 'lint';
  version: string;
  files: number;
  findings: LintFinding[];
  /** Files that could not be parsed. */
  errors: Array<{ file: string; line: number; message: string }>;
  /** Paths given on the command line that do not exist (the others are still linted; exit 2). */
  missing: string[];
  durationMs: number;
}

/** A problem with the setup (ESLint missing, a path that matches nothing): exit 2. */
export class LintSetupError extends Error {}

export const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'];
export const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'];
export const DEFAULT_IGNORES = ['**/node_modules/', '**/.git/', '**/dist/', '**/build/', '**/coverage/', '**/vendor/', '**/*.min.js', '**/*.d.ts'];

/** `import()` a package from wsguard's own install, else from the project in `cwd`. */
async function importPeer<T>(name: string, cwd: string): Promise<T | null> {
  try {
    return (await import(name)) as T;
  } catch {
    try {
      const resolved = createRequire(join(cwd, 'package.json')).resolve(name);
      return (await import(pathToFileURL(resolved).href)) as T;
    } catch {
      return null;
    }
  }
}

export async function loadEslint(cwd: string): Promise<typeof ESLintClass> {
  const mod = await importPeer<{ ESLint?: typeof ESLintClass; default?: { ESLint?: typeof ESLintClass } }>('eslint', cwd);
  const ESLint = mod?.ESLint ?? mod?.default?.ESLint;
  if (!ESLint) throw new LintSetupError('ESLint 9 is needed: npm install --save-dev eslint');
  const major = Number(String(ESLint.version).split('.')[0]);
  if (!(major >= 9)) throw new LintSetupError(`ESLint 9 or later is needed (found ${ESLint.version}): npm install --save-dev eslint@9`);
  return ESLint;
}

/** typescript-eslint's parser, or null when neither `typescript-eslint` nor `@typescript-eslint/parser` is installed. */
export async function loadTsParser(cwd: string): Promise<Linter.Parser | null> {
  const ts = await importPeer<{ parser?: Linter.Parser; default?: { parser?: Linter.Parser } }>('typescript-eslint', cwd);
  const parser = ts?.parser ?? ts?.default?.parser;
  if (parser) return parser;
  const p = await importPeer<Linter.Parser & { default?: Linter.Parser }>('@typescript-eslint/parser', cwd);
  if (!p) return null;
  return 'parseForESLint' in p ? p : (p.default ?? null);
}

/** The flat config `wsguard lint` runs with. */
export function lintConfig(tsParser: Linter.Parser | null, ignores: string[] = [], defaultIgnores = true): Linter.Config[] {
  const files = tsParser ? [...JS_FILES, ...TS_FILES] : JS_FILES;
  return [
    // Without our defaults, ESLint's own (node_modules) is lifted too: used only for files named explicitly.
    { ignores: [...(defaultIgnores ? DEFAULT_IGNORES : ['!**/node_modules/']), ...ignores] },
    // JSX is common in plain .js files (React apps): parsing it never breaks ordinary JavaScript.
    { files: JS_FILES, languageOptions: { ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } } },
    { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
    ...(tsParser ? [{ files: TS_FILES, languageOptions: { parser: tsParser } }, { files: ['**/*.tsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } }] : []),
    { ...plugin.configs.recommended, files },
    // The user's own eslint-disable comments name rules we do not load: say nothing about them.
    { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  ];
}

/** Is there a TypeScript file under these paths? (bounded walk, skips the default ignores) */
export function hasTypeScript(paths: string[], cwd: string, limit = 50_000): boolean {
  let seen = 0;
  const skip = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', 'vendor']);
  const isTs = (p: string) => ['.ts', '.mts', '.cts', '.tsx'].includes(extname(p)) && !p.endsWith('.d.ts');
  const visit = (p: string): boolean => {
    if (++seen > limit) return false;
    let st;
    try {
      st = statSync(p);
    } catch {
      return false;
    }
    if (!st.isDirectory()) return isTs(p);
    for (const name of readdirSync(p)) if (!skip.has(name) && visit(join(p, name))) return true;
    return false;
  };
  return paths.some((p) => visit(resolve(cwd, p)));
}

function commonDir(dirs: string[]): string {
  const split = dirs.map((d) => resolve(d).split(sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

export interface LintOptions {
  cwd?: string;
  ignore?: string[];
}

const isGlob = (p: string) => /[*?{[]/.test(p);
const DEFAULT_SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', 'vendor']);

/** A file the default ignores would skip (`node_modules/x/index.js`, `dist/app.js`, `a.min.js`). */
function defaultIgnored(file: string): boolean {
  return file.split(/[\\/]/).some((seg) => DEFAULT_SKIPPED_DIRS.has(seg)) || file.endsWith('.min.js') || file.endsWith('.d.ts');
}

export async function lintPaths(paths: string[], options: LintOptions = {}): Promise<LintReport> {
  const started = Date.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  // A glob is ESLint's business; a plain path must exist. A missing one among others is reported, the rest linted.
  const missing = paths.filter((p) => !isGlob(p) && !existsSync(resolve(cwd, p)));
  const present = paths.filter((p) => !missing.includes(p));
  if (present.length === 0) throw new LintSetupError(`no such file or directory: ${missing.join(', ')}`);
  const ESLint = await loadEslint(cwd);
  const tsParser = await loadTsParser(cwd);
  if (!tsParser && hasTypeScript(present, cwd)) throw new LintSetupError('TypeScript files need typescript-eslint\'s parser: npm install --save-dev typescript-eslint');
  // ESLint skips files outside its cwd: run it from the deepest directory holding cwd and every path.
  const base = commonDir([cwd, ...present.filter((p) => !isGlob(p)).map((p) => resolve(cwd, p))]);
  // A file named explicitly is linted even where the default ignores would skip it (node_modules/…, dist/…);
  // the user's own --ignore still applies.
  const named = present.filter((p) => !isGlob(p) && statSync(resolve(cwd, p)).isFile() && defaultIgnored(relative(base, resolve(cwd, p))));
  const rest = present.filter((p) => !named.includes(p));
  const lint = async (list: string[], defaults: boolean): Promise<ESLintClass.LintResult[]> => {
    if (list.length === 0) return [];
    const eslint = new ESLint({ cwd: base, overrideConfigFile: true, overrideConfig: lintConfig(tsParser, options.ignore, defaults), warnIgnored: false, errorOnUnmatchedPattern: false });
    try {
      return await eslint.lintFiles(list.map((p) => (isGlob(p) ? p : resolve(cwd, p))));
    } catch (e) {
      throw new LintSetupError((e as Error).message.split('\n')[0] ?? 'ESLint failed');
    }
  };
  const seen = new Set<string>();
  const results = [...(await lint(rest, true)), ...(await lint(named, false))].filter((r) => !seen.has(r.filePath) && !!seen.add(r.filePath));
  // A CI step pointed at the wrong directory must not pass silently.
  if (results.length === 0) throw new LintSetupError(`no JavaScript or TypeScript files to lint in ${present.join(', ')}${missing.length ? ` (no such file or directory: ${missing.join(', ')})` : ''}`);
  const findings: LintFinding[] = [];
  const errors: LintReport['errors'] = [];
  for (const r of results) {
    const file = relative(cwd, r.filePath).split(sep).join('/');
    const lines = r.source?.split('\n');
    for (const m of r.messages) {
      const name = m.ruleId?.startsWith(`${PLUGIN_NAME}/`) ? m.ruleId.slice(PLUGIN_NAME.length + 1) : null;
      const rule = name ? rules[name] : undefined;
      if (!rule) {
        if (m.fatal) errors.push({ file, line: m.line ?? 0, message: m.message });
        continue;
      }
      findings.push({
        rule: m.ruleId!, severity: rule.meta.docs.severity, file, line: m.line, column: m.column,
        ...(m.endLine ? { endLine: m.endLine, endColumn: m.endColumn } : {}),
        message: m.message, checks: rule.meta.docs.checks, cwe: rule.meta.docs.cwe,
        ...(lines?.[m.line - 1] !== undefined ? { source: lines[m.line - 1]!.trim() } : {}),
      });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  return { tool: 'wsguard', command: 'lint', version: toolVersion(), files: results.length, findings, errors, missing, durationMs: Date.now() - started };
}
