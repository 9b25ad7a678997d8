import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError, type FileEvent } from '../../src/client/index.js';
import { startClient, startPeer } from './support/setup.js';
import { fakeJwt, waitFor } from './support/util.js';

test('abrupt kills while a publisher keeps publishing: every event delivered exactly once, in order, resumed with since', async (t) => {
  const peer = await startPeer(t);
  const channel = 'files:live';
  const { client: sub } = startClient(t, peer);
  const { client: pub } = startClient(t, peer, { requestTimeoutMs: 1_000 });
  const got: FileEvent[] = [];
  await sub.subscribe(channel, { onEvent: (e) => got.push(e) }).ready;

  // The publisher retries what the client reports as retryable (the app's choice, not the SDK's):
  // an event whose ack was lost may then be stored twice, under two seqs; both are delivered once each.
  const acked: string[] = [];
  let rejections = 0;
  const total = 60;
  const publisher = (async () => {
    for (let i = 0; i < total; i++) {
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 200, 'publisher retries bounded');
        try {
          await pub.publish('file_delete', { channel, path: `p-${i}` });
          acked.push(`p-${i}`);
          break;
        } catch (e) {
          assert.ok(e instanceof ClientError && e.retryable, String(e));
          rejections++;
          await sleep(10);
        }
      }
    }
  })();

  const lastBeforeKill: number[] = [];
  for (let outage = 1; outage <= 3; outage++) {
    // The previous resubscribe must have reached the peer: killed before it read it, the peer would not count it.
    await waitFor(() => acked.length >= outage * 15 && sub.state === 'open' && pub.state === 'open' && peer.framesOfType('subscribe').length >= outage, `progress before outage ${outage}`);
    await peer.kill();
    lastBeforeKill.push(got.at(-1)?.seq ?? 0);
    // Events stored during the outage by someone else (another node, the HTTP API): must be replayed.
    for (let k = 0; k < 3; k++) peer.append(channel, 'file_upload', `offline-${outage}-${k}`);
    await waitFor(() => sub.state === 'reconnecting' && pub.state === 'reconnecting', 'both clients reconnecting');
    await sleep(150); // a few refused attempts
    await peer.start();
  }
  await publisher;
  await waitFor(() => got.length >= peer.head(channel) && sub.state === 'open', 'subscriber caught up');
  await pub.ping();
  await sub.ping();

  assert.deepEqual(got.map((e) => e.seq), Array.from({ length: peer.head(channel) }, (_, i) => i + 1), 'gap-free, no duplicate, in order');
  const delivered = new Set(got.map((e) => e.path));
  for (const p of acked) assert.ok(delivered.has(p), `acked ${p} delivered`);
  for (let o = 1; o <= 3; o++) for (let k = 0; k < 3; k++) assert.ok(delivered.has(`offline-${o}-${k}`));
  assert.equal(sub.reconnects, 3);
  assert.equal(pub.reconnects, 3);
  // Each resubscribe asked for exactly what came after the last event seen.
  const resumes = peer.framesOfType('subscribe').slice(1).map((f) => f.payload.since);
  assert.equal(resumes.length, 3);
  resumes.forEach((since, i) => assert.ok(typeof since === 'number' && since >= lastBeforeKill[i]!, `since ${since}`));
  t.diagnostic(`publisher rejections during outages: ${rejections}; events: ${got.length}`);
});

test('a publish whose ack is lost rejects with retryable disconnected and is not resent by the client', async (t) => {
  const peer = await startPeer(t);
  const { client } = startClient(t, peer);
  await client.ping();
  peer.swallowAcks = true;
  const p = client.publish('file_delete', { channel: 'files:x', path: 'once' });
  await waitFor(() => peer.head('files:x') === 1, 'stored');
  await peer.kill();
  await assert.rejects(p, { code: 'disconnected', retryable: true });
  peer.swallowAcks = false;
  await peer.start();
  await waitFor(() => client.state === 'open', 'reopened');
  await client.ping();
  assert.equal(peer.framesOfType('file_delete').length, 1);
  assert.equal(peer.head('files:x'), 1);
});

test('1001 going away: reconnect with backoff and resubscribe with since', async (t) => {
  const peer = await startPeer(t);
  const { client, states } = startClient(t, peer);
  const got: number[] = [];
  await client.subscribe('files:a', { onEvent: (e) => got.push(e.seq) }).ready;
  peer.append('files:a', 'file_delete', 'x');
  await waitFor(() => got.length === 1, 'first event');
  peer.closeAll(1001, 'shutdown');
  peer.append('files:a', 'file_delete', 'y');
  await waitFor(() => got.length === 2, 'event stored while away, replayed');
  assert.deepEqual(got, [1, 2]);
  assert.equal(client.reconnects, 1);
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  assert.deepEqual(peer.framesOfType('subscribe').map((f) => f.payload), [{ channel: 'files:a' }, { channel: 'files:a', since: 1 }]);
});

test('1008 token_expired: reauth with a fresh token from the provider, then reconnect', async (t) => {
  const peer = await startPeer(t);
  let n = 0;
  const { client } = startClient(t, peer, { token: () => fakeJwt({ sub: 'u', n: ++n }) });
  await client.ping();
  peer.closeAll(1008, 'token_expired');
  await waitFor(() => client.reconnects === 1 && client.state === 'open', 'reconnected');
  assert.deepEqual(peer.handshakes.map((h) => h.token), [fakeJwt({ sub: 'u', n: 1 }), fakeJwt({ sub: 'u', n: 2 })]);
  // A plain network drop reuses the (still valid) token: no provider call.
  peer.closeAll(1011, 'internal');
  await waitFor(() => client.reconnects === 2 && client.state === 'open', 'reconnected again');
  assert.equal(peer.handshakes[2]!.token, fakeJwt({ sub: 'u', n: 2 }));
  assert.equal(n, 2);
});

test('fresh credentials refused again and again: give up after maxReauthFailures with auth_failed', async (t) => {
  const peer = await startPeer(t);
  let n = 0;
  const errors: ClientError[] = [];
  const { client, states } = startClient(t, peer, { token: () => fakeJwt({ n: ++n }), maxReauthFailures: 2, onError: (e) => errors.push(e) });
  await client.ping();
  peer.closeOnConnect = { code: 4401, reason: 'auth_timeout' };
  peer.closeAll(1008, 'revoked');
  await waitFor(() => client.state === 'closed', 'gave up');
  assert.equal(n, 3, 'initial token + one fresh token per reauth');
  assert.equal(peer.handshakes.length, 3);
  assert.deepEqual(errors.map((e) => [e.code, e.closeCode]), [['auth_failed', 4401]]);
  assert.equal(states.at(-1), 'closed');
});

test('a provider that reports refused credentials counts as a reauth failure', async (t) => {
  const peer = await startPeer(t);
  const errors: string[] = [];
  const { client } = startClient(t, peer, {
    ticket: () => Promise.reject(new ClientError('auth_failed', 'ticket endpoint answered 401')),
    maxReauthFailures: 2,
    onError: (e) => errors.push(e.code),
  });
  await waitFor(() => client.state === 'closed', 'gave up');
  assert.deepEqual(errors, ['auth_failed', 'auth_failed', 'auth_failed']);
  assert.equal(peer.handshakes.length, 0);
  await assert.rejects(client.ping(), { code: 'closed' });
});

test('a provider that fails transiently (hub restarting) is retried with backoff, never given up on', async (t) => {
  const peer = await startPeer(t);
  let calls = 0;
  const { client } = startClient(t, peer, {
    // Down for the first 6 attempts (more than maxReauthFailures), then a real ticket.
    ticket: async () => {
      calls += 1;
      if (calls <= 6) throw new TypeError('fetch failed');
      return `tk-${calls}`;
    },
    maxReauthFailures: 2,
  });
  await waitFor(() => client.state === 'open', 'connected after the outage');
  assert.equal(calls, 7);
  await client.ping();
});

for (const [code, reason] of [[4403, 'forbidden'], [1000, ''], [1009, 'too_big']] as const) {
  test(`${code}: retry policy 'no': closed, error surfaced, no reconnect`, async (t) => {
    const peer = await startPeer(t);
    const errors: ClientError[] = [];
    const { client, states } = startClient(t, peer, { onError: (e) => errors.push(e) });
    await client.ping();
    peer.closeAll(code, reason);
    await waitFor(() => client.state === 'closed', 'closed');
    await sleep(300); // > backoff maxMs: a reconnect would have happened by now
    assert.equal(peer.handshakes.length, 1);
    assert.deepEqual(states, ['open', 'closed']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'connection_closed');
    assert.equal(errors[0]!.closeCode, code);
    assert.equal(errors[0]!.closeReason, reason);
  });
}
