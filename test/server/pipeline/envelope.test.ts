import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Envelope } from '../../../src/protocol/index.js';
import { checkEnvelope } from '../../../src/server/pipeline/envelope.js';

// The envelope stage hand-checks what the zod Envelope schema defines: both must agree.
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
];

test('envelope: the hand check accepts and rejects exactly what the zod Envelope does', () => {
  for (const value of CASES) {
    const zod = Envelope.safeParse(value);
    const hand = checkEnvelope(value);
    assert.equal(hand !== undefined, zod.success, JSON.stringify(value));
    if (zod.success) assert.deepEqual(hand, zod.data, JSON.stringify(value));
  }
});
