/** Short fixed-seed pass of the frame-level fuzzer (the long pass is `npm run fuzz`). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, endpointOf, Opcode, closePayload } from '../../src/audit/raw/index.js';
import { startHubProcess, type HubProcess } from './lib/hub-process.js';
import { runFrameFuzz, runHandshakeCase } from './lib/frame-fuzz.js';
import { allHandshakeCases } from './lib/frame-cases.js';
import { expectFor } from './lib/frame-oracle.js';
import { FUZZ_GUARD, FUZZ_LIMITS, HEAP_GROWTH_BOUND } from './lib/fuzz-config.js';

const SEED = 20261128;
const COUNT = 400;

let hub: HubProcess;
before(async () => {
  hub = await startHubProcess({ guard: FUZZ_GUARD });
});
after(async () => {
  await hub?.stop();
});

test('oracle: names the close code DESIGN.md gives each kind of bad input', () => {
  const codes = (b: Buffer) => [...expectFor(b, FUZZ_LIMITS).closeCodes];
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.TEXT, payload: 'x', mask: false })), [1002]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.TEXT, payload: 'x', rsv1: true })), [1002]);
  assert.deepEqual(codes(encodeFrame({ opcode: 5, payload: 'x' })), [1002]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.TEXT, payload: Buffer.from([0xc3, 0x28]) })), [1007]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.TEXT, payload: 'x', declaredLength: 64n * 1024n + 1n })), [1009]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.BINARY, payload: 'x' })), [1003]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.CLOSE, payload: closePayload(1005) })), [1002]);
  assert.deepEqual(codes(encodeFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000, Buffer.from([0xff])) })), [1007]);
  const truncated = expectFor(encodeFrame({ opcode: Opcode.TEXT, payload: 'x', declaredLength: 10n }), FUZZ_LIMITS);
  assert.equal(truncated.mustClose, false);
  assert.equal(truncated.truncated, true);
});

test('every handshake mutation: 101 when still valid (no extension), 4xx otherwise', async () => {
  const token = await hub.token('fuzzer', { subscribe: ['files:fuzz'], publish: [] });
  const ep = endpointOf(new URL(hub.wsUrl));
  const results = await Promise.all(allHandshakeCases().map(async (c) => `${c.label}: ${(await runHandshakeCase(ep, token, c)).problem ?? 'ok'}`));
  assert.deepEqual(results.filter((r) => !r.endsWith(': ok')), []);
});

test(`frame fuzz: ${COUNT} seeded cases end as expected, the hub stays up and its heap flat`, async () => {
  const token = await hub.token('fuzzer', { subscribe: ['files:fuzz'], publish: [] });
  const report = await runFrameFuzz({ wsUrl: hub.wsUrl, token, count: COUNT, seed: SEED, concurrency: 6, limits: FUZZ_LIMITS, memory: hub.memory });
  const failures = report.failures.map((f) => `case ${f.index} [${f.label}] ${f.problem} ${f.input}`);
  assert.deepEqual(failures, [], `seed ${SEED}: reproduce with npm run fuzz -- --count ${COUNT} --seed ${SEED}`);
  assert.ok(hub.alive(), 'the hub process is still running');
  assert.equal(report.livenessChecks, Math.ceil(COUNT / 50), 'a fresh handshake worked after every batch');
  const growth = report.heapAfter! - report.heapBefore!;
  assert.ok(growth < HEAP_GROWTH_BOUND, `hub heap grew ${growth} bytes (bound ${HEAP_GROWTH_BOUND})`);
  const closes = Object.entries(report.outcomes).filter(([k]) => / close 10(02|03|07|08|09)$/.test(k));
  assert.ok(closes.length >= 5, `the run exercised 1002, 1003, 1007, 1008 and 1009 closes: ${JSON.stringify(report.outcomes)}`);
});
