import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonErrorLocation } from '../../src/config/json-error.js';
import { loadConfig } from '../../src/config/index.js';
import { WsguardConfigError } from '../../src/protocol/failures.js';

function locate(text: string): { line: number; column: number; reason: string } {
  try {
    JSON.parse(text);
  } catch (err) {
    return { ...jsonErrorLocation(text, err) };
  }
  throw new Error('parsed');
}

test('every kind of V8 JSON error gets the line and column of the offending character', () => {
  const cases: [string, number, number, RegExp][] = [
    // Position in the message: a trailing comma.
    ['{\n  "port": 8080,\n}\n', 3, 1, /^Expected double-quoted property name$/],
    // No position in V8's message: a stray closing brace, a bare word, on a later line.
    ['{\n  "port": 8080,\n  "host": }\n', 3, 11, /^Unexpected token '}'$/],
    ['{\n  "port": 8080,\n  "db": wsguard.db\n}', 3, 9, /^Unexpected token 'w'$/],
    // An earlier harmless occurrence of the same character (inside a string) is not taken.
    ['{\n  "a": "w}",\n  "b": }', 3, 8, /^Unexpected token '}'$/],
    // The end of the input.
    ['{\n  "port": 8080', 2, 15, /^Expected ',' or '}' after property value$/],
    ['{\n  "a": [1,', 2, 11, /^Unexpected end of JSON input$/],
    // A byte-order mark is the first character.
    ['\ufeff{}', 1, 1, /^Unexpected token/],
  ];
  for (const [text, line, column, reason] of cases) {
    const got = locate(text);
    assert.deepEqual([got.line, got.column], [line, column], JSON.stringify(text));
    assert.match(got.reason, reason, JSON.stringify(text));
    assert.ok(!got.reason.includes('\n'));
  }
});

test('a bad config file is one line: config file X: invalid JSON at line L column C', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-json-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hub.json');
  writeFileSync(file, '{\n  "port": 9001,\n  "allowed_origins": ["https://a.example",]\n}\n');
  assert.throws(
    () => loadConfig({}, file),
    (e: unknown) =>
      e instanceof WsguardConfigError &&
      e.key === 'WSGUARD_CONFIG' &&
      e.message === `invalid configuration: WSGUARD_CONFIG: config file ${file}: invalid JSON at line 3 column 43: Unexpected token ']'`,
  );
});
