/** Every check module has valid metadata and a test file; docs/checks.md is the generated catalogue. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFiles, checkModuleProblem, loadChecks } from '../../src/audit/registry.js';
import { listChecksMarkdown } from '../../src/audit/list-checks.js';
import { AREAS } from '../../src/audit/types.js';
import { ADDED_IDS, CATALOGUE_IDS, idsOfChecksMd } from './catalogue.js';

test('every check module exports valid metadata and run(ctx)', async () => {
  const files = checkFiles();
  const mods = await loadChecks();
  assert.equal(mods.length, files.length);
  const ids = mods.map((m) => m.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const m of mods) assert.ok((AREAS as readonly string[]).includes(m.meta.area));
});

test('the check ids are exactly the catalogue: CHECKS.md section A plus the documented additions', async () => {
  const ids = (await loadChecks()).map((m) => m.meta.id).sort();
  assert.deepEqual(ids, [...CATALOGUE_IDS, ...Object.keys(ADDED_IDS)].sort());
  for (const [id, why] of Object.entries(ADDED_IDS)) assert.ok(why.trim() && !(CATALOGUE_IDS as readonly string[]).includes(id), id);
});

// CHECKS.md lives beside the main checkout (../shared), not in the repository; when it is here, the snapshot must match it.
const checksMd = [process.env.WSGUARD_CHECKS_MD, join('..', 'shared', 'CHECKS.md')].find((p): p is string => Boolean(p && existsSync(p)));
test('the catalogue snapshot is CHECKS.md section A', { skip: checksMd ? false : 'CHECKS.md not reachable (set WSGUARD_CHECKS_MD)' }, () => {
  const listed = idsOfChecksMd(readFileSync(checksMd ?? '', 'utf8'));
  assert.equal(listed.length, 50);
  assert.deepEqual(listed, [...CATALOGUE_IDS]);
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

test('every check has its own test file test/audit/checks/<area>/<ID>.test.ts that runs it', async () => {
  const missing: string[] = [];
  for (const m of await loadChecks()) {
    const file = join('test', 'audit', 'checks', m.meta.area.toLowerCase(), `${m.meta.id}.test.ts`);
    if (!existsSync(file) || !readFileSync(file, 'utf8').includes(m.meta.id)) missing.push(m.meta.id);
  }
  assert.deepEqual(missing, [], `checks without their test file: ${missing.join(', ')}`);
  // And no test file for a check that does not exist.
  const orphans = AREAS.flatMap((a) => {
    const dir = join('test', 'audit', 'checks', a.toLowerCase());
    return existsSync(dir) ? readdirSync(dir).filter((f) => /^WSG-.*\.test\.ts$/.test(f)).map((f) => f.replace('.test.ts', '')) : [];
  }).filter((id) => !checkFiles().some((f) => f.endsWith(`${id}.ts`) || f.endsWith(`${id}.js`)));
  assert.deepEqual(orphans, []);
});

test('docs/checks.md is the output of `wsguard audit --list-checks --markdown` (regenerate it when stale)', async () => {
  const expected = `${listChecksMarkdown((await loadChecks()).map((m) => m.meta))}\n`;
  const actual = readFileSync(join('docs', 'checks.md'), 'utf8');
  assert.equal(actual, expected, 'docs/checks.md is stale: run `npx tsx src/cli/main.ts audit --list-checks --markdown > docs/checks.md`');
});
