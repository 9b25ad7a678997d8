/**
 * The layer matrix in eslint.config.js (no-restricted-imports per folder and depth) refuses imports
 * across layers and allows the permitted ones; docs/architecture.md shows the same matrix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
// @ts-expect-error: eslint.config.js is plain JavaScript without types
import { LAYERS } from '../../eslint.config.js';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The no-restricted-imports messages for one import line placed at `file` (a path that need not exist). */
async function layerErrors(file: string, spec: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as m from '${spec}';\nexport { m };\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const REFUSED: [string, string][] = [
  ['src/client/x.ts', '../server/index.js'],
  ['src/client/x.ts', 'node:fs'],
  ['src/protocol/x.ts', 'node:crypto'],
  ['src/protocol/x.ts', '../auth/jwt.js'],
  ['src/audit/checks/authz/x.ts', '../../../hub/app.js'],
  ['src/audit/raw/x.ts', '../../protocol/index.js'],
  ['src/store/x.ts', '../cluster/redis-backend.js'],
  ['src/auth/x.ts', '../cluster/redis-backend.js'],
  ['src/redis/x.ts', '../protocol/index.js'],
  ['src/redis/x.ts', '../store/redis.js'],
  ['src/store/x.ts', '../hub/app.js'],
  ['src/auth/x.ts', '../server/index.js'],
  ['src/server/gate/x.ts', '../../hub/app.js'],
  ['src/server/gate/x.ts', '../../config/index.js'],
  ['src/server/pipeline/x.ts', '../../store/sqlite.js'],
  ['src/broker/x.ts', '../store/types.js'],
  ['src/config/x.ts', '../server/index.js'],
  ['src/hub/x.ts', '../cli/serve.js'],
  ['src/cluster/x.ts', '../hub/app.js'],
];
const ALLOWED: [string, string][] = [
  ['src/client/x.ts', '../protocol/index.js'],
  ['src/audit/checks/authz/x.ts', '../auth/helpers.js'], // audit's own checks/auth folder, not src/auth
  ['src/audit/checks/authz/x.ts', '../../raw/index.js'],
  ['src/store/x.ts', '../redis/commands.js'],
  ['src/auth/x.ts', '../redis/commands.js'],
  ['src/cluster/x.ts', '../redis/commands.js'],
  ['src/server/gate/x.ts', '../../auth/jwt.js'],
  ['src/hub/x.ts', '../server/index.js'],
  ['src/cli/x.ts', '../hub/app.js'],
  ['src/cluster/x.ts', '../store/redis.js'],
];

test('the layer matrix refuses imports across layers, naming what the folder may import', async () => {
  for (const [file, spec] of REFUSED) {
    const errors = await layerErrors(file, spec);
    assert.equal(errors.length, 1, `${file} importing ${spec} should be refused`);
    assert.match(errors[0]!, spec.startsWith('node:') ? /no node: imports/ : /may import only/, `${file} → ${spec}`);
  }
});

test('the layer matrix allows the permitted imports', async () => {
  for (const [file, spec] of ALLOWED) assert.deepEqual(await layerErrors(file, spec), [], `${file} importing ${spec} should be allowed`);
});

test('docs/architecture.md shows the same layer matrix as eslint.config.js', () => {
  const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  for (const [folder, allowed] of Object.entries(LAYERS as Record<string, string[]>)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${folder}/\` |`));
    assert.ok(row, `docs/architecture.md has no row for ${folder}/`);
    const cell = row.split('|')[3]!.trim();
    const norm = (s: string) => s.trim().replace(/`/g, '').replace(/\/$/, '').replace(/\.[tj]s$/, '');
    const documented = cell === '—' ? [] : cell.split(',').map(norm);
    assert.deepEqual(documented.sort(), allowed.map(norm).sort(), `${folder}/ row of docs/architecture.md`);
  }
});
