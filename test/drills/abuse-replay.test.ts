/**
 * Abuse drill: replay. A client with an ordinary read token resumes a large channel from 0, from
 * several sockets at once. The hub must page the replay (one page per turn of the event loop), keep
 * answering that client's own control messages and everyone else, and bound the replays in flight.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB, READER, removeDir, startTestHub, TestClient, token, type TestHub } from '../hub/support.js';
import type { ServerMessage } from '../../src/protocol/index.js';

const BIG = 'files:acme';
const EVENTS = 6_000;
const PAGE = 50;

let hub: TestHub;
before(async () => {
  hub = await startTestHub(
    { replay: { perConnection: 1, perUser: 2, queuePerUser: 3 } },
    { hub: { replayPageSize: PAGE } },
  );
  await seed(hub, BIG, EVENTS);
  for (let i = 1; i <= 6; i++) await seed(hub, `files:acme/c${i}`, 3 * PAGE);
  await seed(hub, 'files:globex', 3 * PAGE);
});
after(async () => {
  await hub?.close(1_000);
  if (hub) removeDir(hub.dir);
});

async function seed(h: TestHub, channel: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, (_, k) =>
      h.store.append({ channel, kind: 'file_delete', path: `f${i + k}`, by: 'seed', at: new Date(0).toISOString() }));
    await Promise.all(batch);
  }
}

const idOf = (m: ServerMessage) => ('id' in m ? m.id : undefined);
const indexOfId = (box: ServerMessage[], id: string) => box.findIndex((m) => idOf(m) === id);
function lastEventIndex(box: ServerMessage[], channel: string): number {
  for (let i = box.length - 1; i >= 0; i--) {
    const m = box[i]!;
    if (m.type === 'event' && m.payload.channel === channel) return i;
  }
  return -1;
}

function assertGapFree(seqs: number[], from: number, to: number, what: string): void {
  assert.equal(seqs.length, to - from + 1, `${what}: ${seqs.length} events`);
  seqs.forEach((s, i) => assert.equal(s, from + i, `${what}: event ${i} is seq ${from + i}`));
}

test('a replay of the whole channel does not hold the client\'s own ping and unsubscribe behind it', async () => {
  const c = await TestClient.connect(hub, await token('reader', READER));
  c.ws.send(JSON.stringify({ type: 'subscribe', id: 'sub', payload: { channel: BIG, since: 0 } }));
  c.ws.send(JSON.stringify({ type: 'ping', id: 'ping', payload: {} }));
  await c.until((box) => indexOfId(box, 'ping') >= 0);
  await c.until(() => c.events(BIG).length === EVENTS);
  const box = c.inbox;
  assert.ok(indexOfId(box, 'ping') < lastEventIndex(box, BIG), 'the pong came before the replay ended');
  const firstEvent = box.findIndex((m) => m.type === 'event');
  assert.ok(indexOfId(box, 'sub') >= 0 && indexOfId(box, 'sub') < firstEvent, '`subscribed` came before the first event');
  assertGapFree(c.events(BIG), 1, EVENTS, 'replay');

  // Unsubscribe in the middle of a replay: answered at once, and no event of that channel after it.
  c.inbox.length = 0;
  c.ws.send(JSON.stringify({ type: 'subscribe', id: 'sub2', payload: { channel: BIG, since: 0 } }));
  await c.until(() => c.events(BIG).length >= PAGE);
  c.ws.send(JSON.stringify({ type: 'unsubscribe', id: 'unsub', payload: { channel: BIG } }));
  await c.until((box) => indexOfId(box, 'unsub') >= 0);
  assert.equal(c.inbox[indexOfId(c.inbox, 'unsub')]!.type, 'unsubscribed');
  assert.equal(await c.request('ping', {}).then((m) => m.type), 'pong');
  assert.ok(lastEventIndex(c.inbox, BIG) < indexOfId(c.inbox, 'unsub'), 'no event after unsubscribed');
  assert.ok(c.events(BIG).length < EVENTS, `the replay stopped (${c.events(BIG).length} events)`);
  c.close();
});

test('replays from many sockets of one identity are bounded (replay_limited past the queue); a bystander\'s ping and replay are served meanwhile', async () => {
  const t = await token('alice', ALICE);
  const attackers = await Promise.all(Array.from({ length: 3 }, () => TestClient.connect(hub, t)));
  const bystander = await TestClient.connect(hub, await token('bob', BOB));

  // perUser 2, queue 3: of 6 replays of alice, 2 run, 3 wait, and 1 is refused.
  let n = 0;
  for (const a of attackers) {
    a.ws.send(JSON.stringify({ type: 'subscribe', id: `big-${n++}`, payload: { channel: BIG, since: 0 } }));
    a.ws.send(JSON.stringify({ type: 'subscribe', id: `c-${n++}`, payload: { channel: `files:acme/c${n}`, since: 0 } }));
  }
  bystander.ws.send(JSON.stringify({ type: 'subscribe', id: 'bsub', payload: { channel: 'files:globex', since: 0 } }));
  const pong = await bystander.request('ping', {});
  assert.equal(pong.type, 'pong');
  await bystander.until(() => bystander.events('files:globex').length === 3 * PAGE);
  assertGapFree(bystander.events('files:globex'), 1, 3 * PAGE, 'bystander replay');
  const stillReplaying = attackers.some((a) => a.events(BIG).length < EVENTS);
  assert.ok(stillReplaying, 'the bystander was served while the attacker\'s replays were still running');

  // Every request of the attacker gets exactly one answer: subscribed (then its whole history) or replay_limited.
  const answers = await Promise.all(attackers.flatMap((a, i) => [`big-${2 * i}`, `c-${2 * i + 1}`].map(async (id) => {
    await a.until((box) => indexOfId(box, id) >= 0, 30_000);
    const m = a.inbox[indexOfId(a.inbox, id)]!;
    return m.type === 'error' ? m.payload.code : m.type;
  })));
  assert.equal(answers.filter((x) => x === 'replay_limited').length, 1, `answers: ${answers.join(', ')}`);
  assert.equal(answers.filter((x) => x === 'subscribed').length, 5, `answers: ${answers.join(', ')}`);
  for (const [i, a] of attackers.entries()) {
    const big = a.inbox[indexOfId(a.inbox, `big-${2 * i}`)]!;
    if (big.type === 'subscribed') {
      await a.until(() => a.events(BIG).length === EVENTS, 30_000);
      assertGapFree(a.events(BIG), 1, EVENTS, `attacker ${i}`);
    }
  }
  const metrics = await hub.guard.registry.metrics();
  assert.match(metrics, /^wsguard_hub_replays_refused_total 1$/m);
  assert.match(metrics, /^wsguard_hub_replays\{state="active"\} 0$/m, 'every slot was released');
  for (const a of attackers) a.close();
  bystander.close();
});
