import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connect, handshakeStatus, mintToken, request, startGuard, waitFor } from './helpers.js';

test('metrics: connections, handshakes by outcome, messages by type, violations, handler latency; per-guard registry', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const other = await startGuard();
  t.after(() => other.close());
  h.guard.message('work', z.object({}), () => undefined);
  const ws = await connect(h, { token: await mintToken() });
  assert.equal(await handshakeStatus(h, { token: await mintToken(), origin: 'https://evil.example' }), 403);
  await request(ws, { type: 'work' });
  await request(ws, { type: 'ping' });
  await request(ws, { type: 'nope' });
  const text = await h.guard.metrics.registry.metrics();
  assert.match(text, /wsguard_connections 1/);
  assert.match(text, /wsguard_handshakes_total\{outcome="accepted"\} 1/);
  assert.match(text, /wsguard_handshakes_total\{outcome="origin"\} 1/);
  assert.match(text, /wsguard_messages_total\{type="work"\} 1/);
  assert.match(text, /wsguard_messages_total\{type="unknown"\} 1/);
  assert.match(text, /wsguard_violations_total\{reason="unknown_type"\} 1/);
  assert.match(text, /wsguard_handler_duration_seconds_count\{type="work"\} 1/);
  assert.doesNotMatch(await other.guard.metrics.registry.metrics(), /wsguard_connections 1/);
  ws.close();
  await waitFor(() => h.guard.connections === 0, 5000, 'close');
  assert.match(await h.guard.metrics.registry.metrics(), /wsguard_connections 0/);
});
