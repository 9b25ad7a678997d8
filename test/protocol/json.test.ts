import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBoundedJson, DEFAULT_JSON_LIMITS, FORBIDDEN_KEYS, type JsonLimits } from '../../src/protocol/index.js';

const limits: JsonLimits = DEFAULT_JSON_LIMITS;

function hasForbiddenKey(v: unknown): boolean {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x && typeof x === 'object') {
      for (const k of Object.keys(x)) {
        if (FORBIDDEN_KEYS.has(k)) return true;
        stack.push((x as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

test('property: never throws, never returns a forbidden key, agrees with JSON.parse on what it accepts', () => {
  const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype'));
  const jsonArb = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
    ),
  })).value;
  fc.assert(
    fc.property(fc.oneof(jsonArb.map((v) => JSON.stringify(v)), fc.string()), (text) => {
      const r = parseBoundedJson(text, limits);
      if (r.ok) {
        assert.equal(hasForbiddenKey(r.value), false);
        assert.deepEqual(r.value, JSON.parse(text));
      }
    }),
    { numRuns: 2000, seed: 42 },
  );
});

test('refuses __proto__ written as a JSON key (JSON.parse makes it an own property)', () => {
  const r = parseBoundedJson('{"a":{"__proto__":{"polluted":1}}}');
  assert.deepEqual(r, { ok: false, reason: 'forbidden_key' });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('refuses deep nesting without recursion', () => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  assert.deepEqual(parseBoundedJson(deep), { ok: false, reason: 'depth' });
  assert.equal(parseBoundedJson('[[[[[[[[1]]]]]]]]').ok, true); // depth 8 is the default limit
  assert.deepEqual(parseBoundedJson('[[[[[[[[[1]]]]]]]]]'), { ok: false, reason: 'depth' });
});

test('refuses too many keys, long strings and long arrays; reports syntax errors', () => {
  const many = JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])));
  assert.deepEqual(parseBoundedJson(many), { ok: false, reason: 'keys' });
  assert.deepEqual(parseBoundedJson(JSON.stringify('x'.repeat(8193))), { ok: false, reason: 'string_length' });
  assert.deepEqual(parseBoundedJson(JSON.stringify(new Array(1025).fill(0))), { ok: false, reason: 'array_length' });
  assert.deepEqual(parseBoundedJson('{'), { ok: false, reason: 'syntax' });
});
