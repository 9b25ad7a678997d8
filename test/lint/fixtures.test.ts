/**
 * Real-style servers and clients (test/fixtures/lint): every insecure fixture produces exactly the
 * findings its `// expect:` markers name, line by line; every fixed version produces none; our own
 * src/, examples/ and public/ lint clean with the recommended config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rules } from '../../src/lint/index.js';
import { lintPaths } from '../../src/lint/run.js';

const ROOT = join('test', 'fixtures', 'lint');
const fixtures = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(ROOT, d.name)).map((f) => join(ROOT, d.name, f)));

function expected(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => {
    const m = /\/\/ expect: (.+)$/.exec(line);
    return m ? m[1]!.split(',').map((r) => `${i + 1} wsguard/${r.trim()}`) : [];
  }).sort();
}

test('the fixtures cover every style the issue names: plain ws, ws on Express with handleUpgrade, Socket.IO, TypeScript, a browser client', () => {
  for (const dir of ['plain-ws', 'express-upgrade', 'socketio', 'typescript', 'browser-client']) {
    assert.ok(fixtures.some((f) => f.includes(`${dir}/insecure.`)), `${dir}/insecure`);
    assert.ok(fixtures.some((f) => f.includes(`${dir}/fixed.`)), `${dir}/fixed`);
  }
});

for (const file of fixtures.filter((f) => /insecure\.[jt]s$/.test(f))) {
  test(`${file}: exactly the marked findings`, async () => {
    const report = await lintPaths([file]);
    assert.deepEqual(report.errors, []);
    const got = report.findings.map((f) => `${f.line} ${f.rule}`).sort();
    assert.deepEqual(got, expected(file));
  });
}

for (const file of fixtures.filter((f) => /fixed\.[jt]s$/.test(f))) {
  test(`${file}: no finding`, async () => {
    assert.deepEqual(expected(file), [], 'a fixed fixture carries no markers');
    const report = await lintPaths([file]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings.map((f) => `${f.line} ${f.rule}: ${f.message}`), []);
  });
}

test('every rule is shown on at least one real-style fixture', () => {
  const shown = new Set(fixtures.flatMap(expected).map((e) => e.split(' ')[1]));
  const missing = Object.keys(rules).filter((r) => !shown.has(`wsguard/${r}`));
  assert.deepEqual(missing, []);
});

test('our own src/, examples/ and browser code in public/ lint clean with the recommended config', async () => {
  const report = await lintPaths(['src', 'examples', 'public']);
  assert.deepEqual(report.errors, []);
  assert.ok(report.files > 100, `linted ${report.files} files`);
  assert.deepEqual(report.findings.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`), []);
});
