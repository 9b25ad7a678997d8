// Fails when docs/server.md and the runtime registries of refusal reasons, violation reasons and
// security event kinds disagree (the same Fastify-style drift check as test/protocol/docs-drift.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REFUSAL_REASONS, SECURITY_EVENT_KINDS, VIOLATION_REASONS } from '../../src/server/index.js';

const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');

/** First column of the table under `### heading`, header row dropped. */
function firstColumnAfter(heading: string): string[] {
  const start = doc.indexOf(`\n### ${heading}\n`);
  assert.ok(start >= 0, `docs/server.md has a "### ${heading}" section`);
  const rows: string[] = [];
  for (const line of doc.slice(start + 1).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|') || line.startsWith('| ---')) continue;
    rows.push(line.split('|')[1]!.trim().replace(/`/g, ''));
  }
  return rows.slice(1);
}

test('every handshake refusal reason is documented, in registry order, and nothing else is', () => {
  assert.deepEqual(firstColumnAfter('Handshake refusal reasons'), [...REFUSAL_REASONS]);
});

test('every violation reason is documented, in registry order, and nothing else is', () => {
  assert.deepEqual(firstColumnAfter('Violation reasons'), [...VIOLATION_REASONS]);
});

test('every security event kind is documented, in registry order, and nothing else is', () => {
  assert.deepEqual(firstColumnAfter('Security event kinds'), [...SECURITY_EVENT_KINDS]);
});

test('the registries have no duplicates', () => {
  for (const list of [REFUSAL_REASONS, VIOLATION_REASONS, SECURITY_EVENT_KINDS]) assert.equal(new Set(list).size, list.length);
});
