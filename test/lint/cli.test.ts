/** `wsguard lint` as a process: exit codes, formats (SARIF valid against the 2.1.0 schema subset), --fail-on, errors. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const dir = mkdtempSync(join(tmpdir(), 'wsg-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lint', ...args], { timeout: 60_000, env: { ...process.env, WSGUARD_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function sarifValidator() {
  const schema = JSON.parse(readFileSync('test/fixtures/sarif-2.1.0-subset.schema.json', 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(schema);
}

const INSECURE = 'test/fixtures/lint/plain-ws/insecure.js';
const FIXED = 'test/fixtures/lint/plain-ws/fixed.js';

test('text: findings by file with rule, severity and checks.md id; exit 1 at or above --fail-on', async () => {
  const r = await cli([INSECURE]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^test\/fixtures\/lint\/plain-ws\/insecure\.js$/m);
  assert.match(r.stdout, /4:13 +high +WebSocket server without an Origin check.*wsguard\/require-origin-check \(WSG-ORIGIN-01, WSG-ORIGIN-06, CWE-1385\)/);
  assert.match(r.stdout.trim().split('\n').at(-1) ?? '', /^10 findings \(2 high, 7 medium, 1 low\) in 1 of 1 file$/);
  // Nothing in this fixture is critical: --fail-on critical passes, --fail-on low fails.
  assert.equal((await cli([INSECURE, '--fail-on', 'critical'])).code, 0);
  assert.equal((await cli([INSECURE, '--fail-on', 'low'])).code, 1);
});

test('a clean tree exits 0', async () => {
  const r = await cli([FIXED, 'test/fixtures/lint/typescript/fixed.ts']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^0 findings in 0 of 2 files$/m);
});

test('json: the report with file, line, rule, severity, checks and CWE', async () => {
  const r = await cli([INSECURE, '--format', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { tool: string; command: string; files: number; findings: Array<Record<string, unknown>> };
  assert.equal(report.tool, 'wsguard');
  assert.equal(report.command, 'lint');
  assert.equal(report.files, 1);
  const origin = report.findings.find((f) => f.rule === 'wsguard/require-origin-check');
  assert.deepEqual({ file: origin?.file, line: origin?.line, severity: origin?.severity, checks: origin?.checks, cwe: origin?.cwe }, { file: INSECURE, line: 4, severity: 'high', checks: ['WSG-ORIGIN-01', 'WSG-ORIGIN-06'], cwe: 'CWE-1385' });
});

test('sarif: valid SARIF 2.1.0 (schema subset), every rule described, results located by file and region, --output', async () => {
  const out = join(dir, 'lint.sarif');
  const r = await cli(['test/fixtures/lint', '--format', 'sarif', '--output', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>; partialFingerprints: Record<string, string> }> }> };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.rules.length, 13);
  assert.ok(run.results.length >= 30, `${run.results.length} results`);
  for (const res of run.results) {
    assert.equal(run.tool.driver.rules[res.ruleIndex]?.id, res.ruleId);
    assert.match(res.locations[0]!.physicalLocation.artifactLocation.uri, /^test\/fixtures\/lint\/[a-z-]+\/insecure\.(js|ts)$/);
    assert.ok(res.locations[0]!.physicalLocation.region.startLine > 0);
    assert.match(res.partialFingerprints['wsguardLint/v1'] ?? '', /^[0-9a-f]{64}$/);
  }
  const fps = run.results.map((res) => res.partialFingerprints['wsguardLint/v1']);
  assert.equal(new Set(fps).size, fps.length, 'fingerprints are distinct');
  // The validator must be able to fail.
  assert.equal(validate({ ...log, runs: [{ ...run, results: [{ ruleId: 'x' }] }] }), false);
});

test('a file that does not parse: reported, exit 2, the other files still linted', async () => {
  const bad = join(dir, 'broken.js');
  writeFileSync(bad, 'const = ;\n');
  writeFileSync(join(dir, 'server.js'), "import { WebSocketServer } from 'ws';\nnew WebSocketServer({ port: 1 });\n");
  const r = await cli([dir]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /require-origin-check/);
  assert.match(r.stdout, /Could not parse:\n {2}.*broken\.js:1 Parsing error/);
  assert.match(r.stderr, /^wsguard lint: 1 file could not be parsed/);
  // In SARIF the unparsable file is a tool execution notification and the run is not successful.
  const sarif = await cli([dir, '--format', 'sarif']);
  assert.equal(sarif.code, 2);
  const log = JSON.parse(sarif.stdout) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ message: { text: string } }> }> }> };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const inv = log.runs[0]!.invocations[0]!;
  assert.equal(inv.executionSuccessful, false);
  assert.match(inv.toolExecutionNotifications[0]?.message.text ?? '', /could not parse: Parsing error/);
});

test('a missing path among valid ones: the valid ones are linted, the missing one named, exit 2', async () => {
  const r = await cli([INSECURE, 'no/such/file.js']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /require-origin-check/);
  assert.match(r.stdout, /No such file or directory:\n {2}no\/such\/file\.js/);
  assert.match(r.stdout.trim().split('\n').at(-1) ?? '', /in 1 of 1 file · 1 path not found$/);
  assert.equal(r.stderr.trim(), 'wsguard lint: no such file or directory: no/such/file.js');
  const sarif = await cli([INSECURE, 'no/such/file.js', '--format', 'sarif']);
  assert.equal(sarif.code, 2);
  const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: unknown[]; invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ message: { text: string } }> }> }> };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.ok(log.runs[0]!.results.length > 0);
  assert.equal(log.runs[0]!.invocations[0]!.executionSuccessful, false);
  assert.equal(log.runs[0]!.invocations[0]!.toolExecutionNotifications[0]?.message.text, 'no such file or directory: no/such/file.js');
});

test('bad arguments and paths → exit 2 with one line, no stack', async () => {
  for (const args of [['--bogus'], ['--format', 'xml'], ['--fail-on', 'severe'], ['no/such/dir']]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^wsguard lint: /);
  }
});

test('--list-rules and --help', async () => {
  const list = await cli(['--list-rules']);
  assert.equal(list.code, 0);
  assert.equal(list.stdout.trim().split('\n').length, 13);
  assert.match(list.stdout, /wsguard\/no-message-to-html +high +WSG-INPUT-01, CWE-79/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--format text\|json\|sarif/);
});
