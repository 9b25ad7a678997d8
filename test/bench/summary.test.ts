/** The repeat method's arithmetic: medians, min–max, and the spread of a ratio of medians. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../../bench/lib/stats.js';
import { ratio, summarize } from '../../bench/lib/summary.js';
import { formatCell } from '../../bench/lib/table.js';

test('median of odd and even counts; NaN for none', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('summarize folds repeats per (scenario, system, metric), keeping samples in run order', () => {
  const rows = summarize([
    { scenario: 'inbound', system: 'ws', metric: 'msg_per_s', value: 30 },
    { scenario: 'inbound', system: 'wsguard', metric: 'msg_per_s', value: 10 },
    { scenario: 'inbound', system: 'ws', metric: 'msg_per_s', value: 10 },
    { scenario: 'inbound', system: 'ws', metric: 'msg_per_s', value: 20 },
  ]);
  const ws = rows.find((r) => r.system === 'ws')!;
  assert.deepEqual({ value: ws.value, min: ws.min, max: ws.max, samples: ws.samples }, { value: 20, min: 10, max: 30, samples: [30, 10, 20] });
  assert.equal(rows.find((r) => r.system === 'wsguard')!.samples.length, 1);
});

test('a ratio is of the medians, with the widest spread the samples allow', () => {
  const [a, b] = summarize([
    { scenario: 'fanout', system: 'wsguard', metric: 'm', value: 90 },
    { scenario: 'fanout', system: 'wsguard', metric: 'm', value: 100 },
    { scenario: 'fanout', system: 'wsguard', metric: 'm', value: 120 },
    { scenario: 'fanout', system: 'ws', metric: 'm', value: 40 },
    { scenario: 'fanout', system: 'ws', metric: 'm', value: 50 },
    { scenario: 'fanout', system: 'ws', metric: 'm', value: 60 },
  ]);
  assert.deepEqual(ratio(a, b), { value: 2, low: 1.5, high: 3 });
  assert.equal(ratio(a, undefined), undefined);
  assert.equal(formatCell('deliveries_per_s', a), '100 (90–120)');
});
