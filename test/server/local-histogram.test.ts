/**
 * LocalHistogram replaces prom-client's Histogram on the message hot path: /metrics must read the
 * same, line for line, for the same observations (bucket edges included: a value equal to a bound
 * is in that bucket).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { LocalHistogram } from '../../src/server/local-histogram.js';

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

test("LocalHistogram: the same /metrics text as prom-client's Histogram for the same observations", async () => {
  const a = new Registry();
  const b = new Registry();
  const reference = new Histogram({ name: 'h_seconds', help: 'Latency.', labelNames: ['type'] as const, buckets: BUCKETS, registers: [a] });
  const local = new LocalHistogram('h_seconds', 'Latency.', 'type', BUCKETS, b);
  assert.equal(await b.metrics(), await a.metrics(), 'empty');
  const values = [0, 0.0005, 0.001, 0.0010001, 0.005, 0.03, 0.1, 0.7, 1, 5, 5.0001, 60, ...Array.from({ length: 200 }, (_, i) => (i * 0.037) % 6)];
  values.forEach((v, i) => {
    const type = i % 3 === 0 ? 'file_upload' : i % 3 === 1 ? 'ping' : 'sub"scribe\\x';
    reference.labels(type).observe(v);
    local.observe(type, v);
  });
  assert.equal(await b.metrics(), await a.metrics());
  assert.throws(() => local.observe('ping', Number.NaN), TypeError);
  a.resetMetrics();
  b.resetMetrics();
  assert.equal(await b.metrics(), await a.metrics(), 'after reset');
});
