import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryEventStore } from '../../src/store/index.js';
import { channelLimitsContract } from './channel-limits.js';
import { eventStoreContract, isUnavailable, newEvent } from './contract.js';

eventStoreContract('memory', async (opts) => new MemoryEventStore(opts), { fakeClock: true, exactPruneCount: true });

test('memory: simulateOutage refuses writes with unavailable, uses no seq, and recovers', async () => {
  const s = new MemoryEventStore();
  await s.append(newEvent('files:o', 1));
  s.simulateOutage(true);
  await assert.rejects(s.append(newEvent('files:o', 2)), isUnavailable);
  assert.equal(await s.healthy(), false);
  s.simulateOutage(false);
  assert.equal(await s.healthy(), true);
  assert.equal((await s.append(newEvent('files:o', 3))).seq, 2);
  await s.close();
});

test('memory: replay refuses a bad limit or since', async () => {
  const s = new MemoryEventStore();
  await assert.rejects(s.replay('files:x', 0, 0), RangeError);
  await assert.rejects(s.replay('files:x', -1, 5), RangeError);
  await assert.rejects(s.replay('files:x', 1.5, 5), RangeError);
  assert.throws(() => new MemoryEventStore({ retention: { maxEvents: -1, maxAgeMs: 0 } }), RangeError);
  await s.close();
});

test('memory: the prune timer applies retention on its own', async () => {
  const s = new MemoryEventStore({ retention: { maxEvents: 2, maxAgeMs: 0 }, pruneIntervalMs: 20 });
  for (let i = 1; i <= 5; i++) await s.append(newEvent('files:t', i));
  await new Promise((r) => setTimeout(r, 80));
  assert.equal((await s.replay('files:t', 2, 10)).gone, true);
  await s.close();
});

channelLimitsContract('memory', async (opts) => new MemoryEventStore(opts));
