/**
 * Abuse drill: channel creation. One publisher token with a wildcard (`files:acme/*`) tries to
 * create channels without end. The per-identity cap stops it, the total cap stops everyone
 * together, publishes to existing channels are still acknowledged, and the metrics show it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB, removeDir, startTestHub, TestClient, token, upload, type TestHub } from '../hub/support.js';
import { metric } from './lib/clients.js';

let hub: TestHub | undefined;
after(async () => {
  await hub?.close(1_000);
  if (hub) removeDir(hub.dir);
});

const code = (m: { type: string; payload: unknown }) => (m.type === 'error' ? (m.payload as { code: string }).code : m.type);

test('new channels are capped per identity and in total (channel_limit); existing channels keep working; metrics count the refusals', async () => {
  hub = await startTestHub({ channels: { max: 4, newPerUserPerHour: 3 } });
  const mallory = await TestClient.connect(hub, await token('mallory', ALICE));
  const answers: string[] = [];
  for (let i = 0; i < 10; i++) answers.push(code(await mallory.request('file_upload', upload(`files:acme/spam-${i}`, `f${i}`))));
  assert.deepEqual(answers, ['ack', 'ack', 'ack', ...Array(7).fill('channel_limit')], 'the per-identity cap');

  const bob = await TestClient.connect(hub, await token('bob', BOB));
  assert.equal(code(await bob.request('file_upload', upload('files:globex', 'a'))), 'ack', 'another identity is not held by mallory\'s cap');
  const carol = await TestClient.connect(hub, await token('carol', ALICE));
  assert.equal(code(await carol.request('file_upload', upload('files:acme/carol', 'a'))), 'channel_limit', 'the total cap: 4 channels');
  // Nothing acknowledged is lost, and existing channels still take publishes.
  assert.equal(code(await carol.request('file_upload', upload('files:acme/spam-0', 'b'))), 'ack');
  assert.equal(code(await bob.request('file_upload', upload('files:globex', 'b'))), 'ack');
  const reader = await TestClient.connect(hub, await token('reader', ALICE));
  assert.equal(code(await reader.request('subscribe', { channel: 'files:acme/spam-0', since: 0 })), 'subscribed');
  await reader.until(() => reader.events('files:acme/spam-0').length === 2);
  assert.equal(await hub.store.head('files:acme/spam-3'), 0, 'a refused publish stored nothing');

  const text = await hub.guard.registry.metrics();
  assert.equal(metric(text, 'wsguard_hub_channel_limit_total', 'scope="user"'), 7);
  assert.equal(metric(text, 'wsguard_hub_channel_limit_total', 'scope="total"'), 1);
  assert.match(text, /^wsguard_hub_channels 4$/m);
  assert.equal(metric(text, 'wsguard_hub_channel_limits', 'limit="max_channels"'), 4);
  for (const c of [mallory, bob, carol, reader]) c.close();
});

test('retention over many channels runs in slices: a client is answered while a prune of 30,000 channels is in progress', async () => {
  const h = await startTestHub({ retention: { maxEvents: 0, maxAgeMs: 86_400_000 }, channels: { max: 1_000_000, newPerUserPerHour: 1_000_000 } });
  try {
    for (let i = 0; i < 30_000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, k) => h.store.append({ channel: `files:acme/c${i + k}`, kind: 'file_delete', path: 'x', by: 'seed', at: new Date(0).toISOString() })));
    }
    const client = await TestClient.connect(h, await token('alice', ALICE));
    let pruned = false;
    const prune = h.store.prune().then((n) => {
      pruned = true;
      return n;
    });
    const pong = await client.request('ping', {});
    assert.equal(pong.type, 'pong');
    assert.equal(pruned, false, 'answered while the prune was still going: it yields between slices');
    assert.equal(await prune, 0);
    client.close();
  } finally {
    await h.close(1_000);
    removeDir(h.dir);
  }
});
