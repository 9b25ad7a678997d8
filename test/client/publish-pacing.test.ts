/**
 * Bulk publishing through the client against a real hub: 200 publishes made at once are paced by the
 * client (in flight and per second) to the hub's default per-connection budget, so all 200 are acked on
 * one connection and the hub records no violation. Before the pacing, the hub's queue overflowed:
 * rate_limited refusals, a 1008 close, and most publishes ended `disconnected` (outcome unknown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ClientError, type ClientState } from '../../src/client/index.js';
import { Pacer } from '../../src/client/pacer.js';
import { startTestHub, removeDir, token, upload, ALICE } from '../hub/support.js';
import { NodeWebSocket } from './support/util.js';

test('200 publishes at once: 200 acks in call order, one connection, no violation on the hub', { timeout: 60_000 }, async (t) => {
  const h = await startTestHub();
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  const security: string[] = [];
  h.guard.on('security', (e) => security.push(e.kind === 'violation' || e.kind === 'violations_exceeded' ? `${e.kind}:${e.reason}` : e.kind));
  const states: ClientState[] = [];
  const errors: ClientError[] = [];
  const c = createClient({ url: h.wsUrl, WebSocket: NodeWebSocket, token: () => token('bulk', ALICE), onState: (s) => states.push(s), onError: (e) => errors.push(e) });
  t.after(() => c.close());
  const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => c.publish('file_upload', upload('files:acme', `bulk/${i}.pdf`))));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ClientError).code] : []));
  assert.deepEqual(failed, []);
  // Sent in call order on one connection: the seqs the hub assigned follow the calls.
  assert.deepEqual(results.map((r) => (r as PromiseFulfilledResult<number>).value), Array.from({ length: 200 }, (_, i) => i + 1));
  assert.deepEqual(states, ['open']);
  assert.equal(c.reconnects, 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(security.filter((s) => s.startsWith('violation')), []);
});

test('the pacer: at most maxInFlight out, at most maxWaiting waiting (then publish_queue_full), released slots let the next go in order', async () => {
  const p = new Pacer({ maxInFlight: 2, burst: 100, perSec: 100, maxWaiting: 3 });
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const got = [0, 1, 2, 3, 4].map((i) => p.acquire().then((release) => { order.push(i); releases.push(release); }));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [0, 1]);
  assert.equal(p.size, 3);
  await assert.rejects(p.acquire(), (e: ClientError) => e.code === 'publish_queue_full' && e.retryable);
  releases[0]!();
  releases[0]!(); // a second release of the same slot frees nothing more
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [0, 1, 2]);
  p.clear(new ClientError('closed', 'client closed'));
  await Promise.allSettled(got);
  assert.equal(p.size, 0);
});
