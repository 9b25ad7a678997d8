/** Every check module has valid metadata and a test file; docs/checks.md is the generated catalogue. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFiles, checkModuleProblem, loadChecks } from '../../src/audit/registry.js';
import { listChecksMarkdown } from '../../src/audit/list-checks.js';
import { AREAS } from '../../src/audit/types.js';

test('every check module exports valid metadata and run(ctx)', async () => {
  const files = checkFiles();
  assert.ok(files.length >= 19, `found ${files.length} check modules`);
  const mods = await loadChecks();
  assert.equal(mods.length, files.length);
  const ids = mods.map((m) => m.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const m of mods) assert.ok((AREAS as readonly string[]).includes(m.meta.area));
});

test('the metadata validator rejects incomplete modules', () => {
  const meta = { id: 'WSG-AUTH-01', title: 't', area: 'AUTH', severity: 'high', mode: 'safe', references: ['x'], remediation: 'r', description: 'd' } as const;
  const file = '/x/checks/auth/WSG-AUTH-01.ts';
  assert.equal(checkModuleProblem({ meta: { ...meta, references: [...meta.references] }, run: async () => undefined }, file), null);
  assert.match(checkModuleProblem({ run: async () => undefined }, file) ?? '', /no exported meta/);
  assert.match(checkModuleProblem({ meta: { ...meta, references: [] }, run: async () => undefined }, file) ?? '', /no references/);
  assert.match(checkModuleProblem({ meta: { ...meta, references: ['x'], remediation: ' ' }, run: async () => undefined }, file) ?? '', /remediation/);
  assert.match(checkModuleProblem({ meta: { ...meta, references: ['x'], id: 'WSG-AUTH-02' }, run: async () => undefined }, file) ?? '', /does not match/);
});

test('every check has a test file under test/audit/checks/<area>/ that names it', async () => {
  const missing: string[] = [];
  for (const m of await loadChecks()) {
    const dir = join('test', 'audit', 'checks', m.meta.area.toLowerCase());
    const tests = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
    if (!tests.some((t) => t.includes(m.meta.id) || t.includes(m.meta.id.replace(/^WSG-/, '')))) missing.push(m.meta.id);
  }
  assert.deepEqual(missing, [], `checks without a test: ${missing.join(', ')}`);
});

test('docs/checks.md is the output of `wsguard audit --list-checks --markdown` (regenerate it when stale)', async () => {
  const expected = `${listChecksMarkdown((await loadChecks()).map((m) => m.meta))}\n`;
  const actual = readFileSync(join('docs', 'checks.md'), 'utf8');
  assert.equal(actual, expected, 'docs/checks.md is stale: run `npx tsx src/cli/main.ts audit --list-checks --markdown > docs/checks.md`');
});
