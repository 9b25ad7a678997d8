// Writes docs/lint/<rule>.md and the rules table in docs/lint.md from the rule metadata.
// Usage: npx tsx scripts/gen-lint-docs.ts   (test/lint/registry.test.ts fails when they are stale)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulePage, withRulesTable } from '../src/lint/docs.js';
import { rules } from '../src/lint/index.js';

const dir = join('docs', 'lint');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.md') && !(f.slice(0, -3) in rules)) rmSync(join(dir, f));
for (const name of Object.keys(rules)) writeFileSync(join(dir, `${name}.md`), rulePage(name));
const doc = join('docs', 'lint.md');
writeFileSync(doc, withRulesTable(readFileSync(doc, 'utf8')));
console.log(`wrote ${Object.keys(rules).length} rule pages and the table in ${doc}`);
