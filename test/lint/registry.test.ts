/**
 * Every lint rule is one module with complete metadata, its own RuleTester test, and a generated
 * doc page; docs/lint.md's table and the pages are the generator's output (fails when stale).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChecks } from '../../src/audit/registry.js';
import plugin, { configs, recommendedRules, rules } from '../../src/lint/index.js';
import { rulePage, withRulesTable } from '../../src/lint/docs.js';

const RULE_DIR = join('src', 'lint', 'rules');
const files = readdirSync(RULE_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

test('every module under src/lint/rules/ is registered under its file name, and nothing else is', () => {
  assert.ok(files.length >= 13, `${files.length} rule modules`);
  assert.deepEqual(Object.keys(rules).sort(), files);
});

test('every rule has complete metadata: description, severity, checks.md ids that exist, CWE, fix, false positives, limits, examples', async () => {
  const ids = new Set((await loadChecks()).map((c) => c.meta.id));
  for (const [name, r] of Object.entries(rules)) {
    const d = r.meta.docs;
    const where = `rule ${name}`;
    assert.equal(r.meta.type, 'problem', where);
    assert.ok(d.description.length > 20 && d.details.length > 20 && d.fix.length > 20, `${where}: description/details/fix`);
    assert.ok(['low', 'medium', 'high'].includes(d.severity), `${where}: severity`);
    for (const id of d.checks) assert.ok(ids.has(id), `${where}: ${id} is not in docs/checks.md`);
    assert.match(d.cwe, /^CWE-\d+$/, where);
    assert.ok(d.falsePositives.length > 0 && d.limits.length > 0, `${where}: every rule states its known false positives and limits`);
    assert.ok(d.example.bad && d.example.good, `${where}: examples`);
    assert.equal(d.url, `https://github.com/wsguard/wsguard/blob/main/docs/lint/${name}.md`, where);
    assert.ok(Object.keys(r.meta.messages).length > 0, where);
  }
});

test('every rule has a RuleTester test under test/lint/rules/ that imports it', () => {
  const missing = files.filter((name) => {
    const p = join('test', 'lint', 'rules', `${name}.test.ts`);
    return !existsSync(p) || !readFileSync(p, 'utf8').includes(`src/lint/rules/${name}.js`);
  });
  assert.deepEqual(missing, []);
});

test('the recommended flat config enables every rule under the wsguard namespace', () => {
  assert.equal(configs.recommended?.plugins?.wsguard, plugin);
  assert.deepEqual(Object.keys(configs.recommended?.rules ?? {}).sort(), files.map((f) => `wsguard/${f}`));
  for (const [name, r] of Object.entries(rules)) assert.equal(recommendedRules[`wsguard/${name}`], r.meta.docs.severity === 'low' ? 'warn' : 'error');
});

test('docs/lint/<rule>.md and the table in docs/lint.md are generated from the metadata (run `npx tsx scripts/gen-lint-docs.ts` when stale)', () => {
  const stale: string[] = [];
  for (const name of files) {
    const p = join('docs', 'lint', `${name}.md`);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== rulePage(name)) stale.push(p);
  }
  const pages = readdirSync(join('docs', 'lint')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort();
  assert.deepEqual(pages, files, 'one page per rule, no page without a rule');
  const doc = readFileSync(join('docs', 'lint.md'), 'utf8');
  if (withRulesTable(doc) !== doc) stale.push('docs/lint.md');
  assert.deepEqual(stale, []);
});

test('package.json exports the plugin as wsguard/eslint (with types); eslint and typescript-eslint are optional peers', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { types: string; default: string }>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }> };
  assert.deepEqual(pkg.exports['./eslint'], { types: './dist/lint/index.d.ts', default: './dist/lint/index.js' });
  assert.ok(existsSync(join('src', 'lint', 'index.ts')), 'tsconfig.build maps src/lint/index.ts to dist/lint/index.js');
  for (const peer of ['eslint', 'typescript-eslint']) {
    assert.ok(pkg.peerDependencies[peer], peer);
    assert.equal(pkg.peerDependenciesMeta[peer]?.optional, true, peer);
  }
});
