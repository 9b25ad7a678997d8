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
