import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplaySlots } from '../../src/hub/replay-slots.js';

function slots(perConnection: number, perUser: number, queuePerUser: number) {
  const seen = { refused: 0, active: 0, waiting: 0 };
  const s = new ReplaySlots({ perConnection, perUser, queuePerUser }, {
    changed: (a, w) => Object.assign(seen, { active: a, waiting: w }),
    refused: () => seen.refused++,
  });
  return { s, seen };
}

test('per-connection and per-identity limits: the rest wait in order, past the queue they are refused', async () => {
  const { s, seen } = slots(1, 2, 2);
  const a1 = await s.acquire('c1', 'alice');
  assert.ok(a1);
  const granted: string[] = [];
  const a2 = s.acquire('c1', 'alice').then((r) => (granted.push('c1#2'), r)); // waits: c1 is at its limit
  const b1 = await s.acquire('c2', 'alice'); // c2 fits: passes the blocked c1 waiter
  assert.ok(b1);
  const a3 = s.acquire('c3', 'alice').then((r) => (granted.push('c3'), r)); // waits: alice at 2
  assert.deepEqual({ active: seen.active, waiting: seen.waiting }, { active: 2, waiting: 2 });
  assert.equal(await s.acquire('c4', 'alice'), undefined, 'queue full: refused');
  assert.equal(seen.refused, 1);
  assert.ok(await s.acquire('c9', 'bob'), 'another identity is not affected');
  a1!();
  a1!(); // idempotent
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(granted, ['c1#2'], 'the first waiter that fits goes first');
  b1!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(granted, ['c1#2', 'c3']);
  (await a2)!();
  (await a3)!();
  assert.deepEqual(s.stats, { active: 1, waiting: 0 }); // bob's
});
