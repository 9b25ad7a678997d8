import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Envelope } from '../../../src/protocol/index.js';
import { checkEnvelope } from '../../../src/server/pipeline/envelope.js';

/** The envelope as docs/protocol.md states it: `payload` any JSON object (a record of unknowns). */
const REFERENCE = z.strictObject({
  type: z.string().min(1).max(32).regex(/^[a-z][a-z0-9_.]*$/),
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});

const CASES: unknown[] = [
  { type: 'ping' },
  { type: 'file_upload', id: 'a-1', payload: { channel: 'x' } },
  { type: 'a.b_c9', id: 'A:b.c_d-e', payload: {} },
  { type: 'x'.repeat(32) },
  { type: 'x'.repeat(33) },
  { type: '' },
  { type: 'Ping' },
  { type: '9a' },
  { type: 'a b' },
  { type: 'é' },
  { type: 'ping\n' },
  { type: 'ping', id: '' },
  { type: 'ping', id: 'i'.repeat(64) },
  { type: 'ping', id: 'i'.repeat(65) },
  { type: 'ping', id: 'a/b' },
  { type: 'ping', id: 5 },
  { type: 'ping', id: null },
  { type: 'ping', payload: null },
  { type: 'ping', payload: [] },
  { type: 'ping', payload: 'x' },
  { type: 'ping', payload: 1 },
  { type: 'ping', extra: 1 },
  { type: 5 },
  {},
  [],
  null,
  'ping',
  42,
  // (A nested "__proto__" never gets here: the json stage refuses that key at any depth.)
  JSON.parse('{"type":"ping","__proto__":{"x":1}}'),
  { type: 'ping', payload: { a: { b: [1, { c: null }] }, d: 'x' } },
  JSON.parse('{"type":"ping","payload":{"__proto__":{"x":1},"y":2}}'),
  { type: 'ping', payload: { '': 1 } },
  { type: 'ping', payload: [{}] },
];

test('envelope: the hot schema (payload a loose object) accepts exactly what the reference (payload a record) does, with the same data', () => {
  for (const value of CASES) {
    const hot = Envelope.safeParse(value);
    const ref = REFERENCE.safeParse(value);
    assert.equal(hot.success, ref.success, JSON.stringify(value));
    if (ref.success) assert.deepEqual(hot.data, ref.data, JSON.stringify(value));
  }
});

test("envelope: the stage's check accepts and rejects exactly what the zod Envelope does", () => {
  for (const value of CASES) {
    const zod = Envelope.safeParse(value);
    const hand = checkEnvelope(value);
    assert.equal(hand !== undefined, zod.success, JSON.stringify(value));
    if (zod.success) assert.deepEqual(hand, zod.data, JSON.stringify(value));
  }
});
