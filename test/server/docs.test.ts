import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../../src/server/index.js';
import { startGuard } from './helpers.js';

const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');

test('docs/server.md lists every option of DEFAULTS and every gate and pipeline stage', async (t) => {
  for (const key of Object.keys(DEFAULTS).filter((k) => k !== 'auth')) assert.ok(doc.includes(`\`${key}\``), `option ${key} missing from docs/server.md`);
  for (const key of Object.keys(DEFAULTS.auth)) assert.ok(doc.includes(`\`auth.${key}\``), `option auth.${key} missing`);
  const h = await startGuard();
  t.after(() => h.close());
  for (const s of [...h.guard.gate, ...h.guard.pipeline]) assert.ok(doc.includes(`| \`${s.name}\` |`), `stage ${s.name} missing`);
});
