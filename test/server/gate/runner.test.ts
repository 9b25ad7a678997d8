import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGate } from '../../../src/server/gate/runner.js';
import type { GateStage, HandshakeContext } from '../../../src/server/gate/types.js';

const ctx = {} as HandshakeContext;

test('gate runner: stops at the first refusal, in order', async () => {
  const seen: string[] = [];
  const stage = (name: string, refuse: boolean): GateStage => ({ name, run: () => (seen.push(name), refuse ? { status: 403, reason: 'origin' } : undefined) });
  const r = await runGate([stage('a', false), stage('b', true), stage('c', false)], ctx);
  assert.deepEqual(seen, ['a', 'b']);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.stage, 'b');
});

test('gate runner: a throwing stage refuses with 503, never throws', async () => {
  const r = await runGate([{ name: 'boom', run: () => Promise.reject(new Error('x')) }], ctx);
  assert.equal(!r.ok && r.refusal.status, 503);
  assert.equal((await runGate([], ctx)).ok, true);
});

test('guard exposes its gate and pipeline stage names in order', async () => {
  const { startGuard } = await import('../helpers.js');
  const h = await startGuard();
  try {
    assert.deepEqual(h.guard.gate.map((s) => s.name), ['accepting', 'handshake-rate', 'path', 'request', 'host', 'origin', 'caps', 'authenticate', 'user-cap', 'subprotocol']);
    assert.deepEqual(h.guard.pipeline.map((s) => s.name), ['size', 'text-only', 'json', 'envelope', 'rate-limit', 'schema', 'session', 'authorize', 'handler']);
  } finally {
    await h.close();
  }
});
