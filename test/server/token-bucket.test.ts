import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedBuckets, TokenBucket } from '../../src/server/token-bucket.js';

test('token bucket: burst, then refill at the configured rate', () => {
  const b = new TokenBucket(2, 3, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(400), false);
  assert.equal(b.take(500), true); // 0.5 s × 2/s = 1 token
  assert.equal(b.take(10_000), true);
});

test('keyed buckets: memory stays bounded under a flood of distinct keys', () => {
  const kb = new KeyedBuckets(1, 1, 100);
  for (let i = 0; i < 10_000; i++) kb.take(`10.0.${i >> 8}.${i & 255}`, 0);
  assert.ok((kb as unknown as { buckets: Map<string, unknown> }).buckets.size <= 100);
  assert.equal(kb.take('a', 0), true);
  assert.equal(kb.take('a', 0), false);
  assert.equal(kb.peek('never-seen', 0), true);
});

test('takeWithin: frames read at once after a stall are placed within the stall, as their sender paced them', () => {
  // 10/s, burst 2. A client sending 8/s during a 2 s stall: 16 frames, all read at t=2000.
  const b = new TokenBucket(10, 2, 0);
  const admitted = Array.from({ length: 16 }, () => b.takeWithin(0, 2000)).filter(Boolean).length;
  assert.equal(admitted, 16, 'within its rate over the stall: all admitted');
  // Charged by processing time instead, only the burst would pass:
  const late = new TokenBucket(10, 2, 0);
  assert.equal(Array.from({ length: 16 }, () => late.take(2000)).filter(Boolean).length, 2);
  // More than the stall allows is still refused: 10/s over 2 s plus the burst is at most 22.
  const flood = new TokenBucket(10, 2, 0);
  assert.equal(Array.from({ length: 100 }, () => flood.takeWithin(0, 2000)).filter(Boolean).length, 22);
  // The window is spent: right after it, only what refilled since counts.
  assert.equal(flood.takeWithin(2000, 2000), false);
  assert.equal(flood.take(2100), true);
});
