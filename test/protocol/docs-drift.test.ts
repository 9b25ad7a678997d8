// Fails when docs/protocol.md and the code registries disagree (Fastify-style drift check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, CLOSE_CODES } from '../../src/protocol/index.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

function tableAfter(heading: string): string[][] {
  const start = doc.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `docs/protocol.md has a "${heading}" section`);
  const rows: string[][] = [];
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|') || line.startsWith('| ---')) continue;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
  }
  return rows.slice(1); // drop the header row
}

test('every error code is documented with its status and retryability, and nothing else is', () => {
  const rows = tableAfter('Error codes');
  const documented = rows.map(([code, status, retry]) => ({ code, status: Number(status), retryable: retry === 'yes' }));
  const registry = ERROR_CODES.map(({ code, status, retryable }) => ({ code, status, retryable }));
  assert.deepEqual(documented, registry);
});

test('every close code is documented with its name and retry policy, and nothing else is', () => {
  const rows = tableAfter('Close codes');
  const documented = rows.map(([code, name, retry]) => ({ code: Number(code), name, retry }));
  const registry = CLOSE_CODES.map(({ code, name, retry }) => ({ code, name, retry }));
  assert.deepEqual(documented, registry);
});
