import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEvent } from '../../src/protocol/index.js';
import { WsguardError } from '../../src/protocol/index.js';
import { MemoryBroker, MemoryBus } from '../../src/broker/index.js';

const ev = (channel: string, seq: number): FileEvent => ({ channel, seq, kind: 'file_delete', path: `f/${seq}`, by: 'alice', at: new Date(0).toISOString() });
const tick = () => new Promise((r) => setImmediate(r));

test('delivers to every listener of the channel, in publish order, and only to that channel', async () => {
  const b = new MemoryBroker();
  const got: string[] = [];
  b.subscribe('files:a', (e) => got.push(`1:${e.seq}`));
  b.subscribe('files:a', (e) => got.push(`2:${e.seq}`));
  b.subscribe('files:b', (e) => got.push(`b:${e.seq}`));
  for (let i = 1; i <= 3; i++) await b.publish(ev('files:a', i));
  await tick();
  assert.deepEqual(got, ['1:1', '2:1', '1:2', '2:2', '1:3', '2:3']);
  await b.close();
});

test('delivery is asynchronous: publish never runs listeners inside the caller', async () => {
  const b = new MemoryBroker();
  let called = false;
  b.subscribe('files:a', () => (called = true));
  const p = b.publish(ev('files:a', 1));
  assert.equal(called, false);
  await p;
  await tick();
  assert.equal(called, true);
  await b.close();
});

test('one upstream per channel however many listeners; dropped with the last one', async () => {
  const bus = new MemoryBus();
  const b = new MemoryBroker({ bus });
  const offs = Array.from({ length: 5 }, () => b.subscribe('files:a', () => {}));
  assert.equal(bus.upstreamCount('files:a'), 1);
  offs.slice(0, 4).forEach((off) => off());
  assert.equal(bus.upstreamCount('files:a'), 1);
  offs[4]!();
  assert.equal(bus.upstreamCount('files:a'), 0);
  const again = b.subscribe('files:a', () => {});
  assert.equal(bus.upstreamCount('files:a'), 1, 're-subscribing after the last one left attaches again');
  again();
  await b.close();
});

test('unsubscribe is per call and idempotent; the same function subscribed twice gets the event twice', async () => {
  const b = new MemoryBroker();
  const got: number[] = [];
  const l = (e: FileEvent) => got.push(e.seq);
  const off1 = b.subscribe('files:a', l);
  const off2 = b.subscribe('files:a', l);
  await b.publish(ev('files:a', 1));
  await tick();
  off1();
  off1();
  await b.publish(ev('files:a', 2));
  await tick();
  off2();
  await b.publish(ev('files:a', 3));
  await tick();
  assert.deepEqual(got, [1, 1, 2]);
  await b.close();
});

test('a throwing listener is reported and never stops the others', async () => {
  const errors: unknown[] = [];
  const b = new MemoryBroker({ onError: (e) => errors.push(e) });
  const got: number[] = [];
  b.subscribe('files:a', () => {
    throw new Error('bad listener');
  });
  b.subscribe('files:a', (e) => got.push(e.seq));
  for (let i = 1; i <= 3; i++) await b.publish(ev('files:a', i));
  await tick();
  assert.deepEqual(got, [1, 2, 3]);
  assert.equal(errors.length, 3);
  assert.match(String(errors[0]), /bad listener/);
  await b.close();
});

test('a listener removed during delivery gets nothing more; one added during it waits for the next event', async () => {
  const b = new MemoryBroker();
  const got: string[] = [];
  let offB = () => {};
  b.subscribe('files:a', (e) => {
    got.push(`a:${e.seq}`);
    offB();
    if (e.seq === 1) b.subscribe('files:a', (e2) => got.push(`c:${e2.seq}`));
  });
  offB = b.subscribe('files:a', (e) => got.push(`b:${e.seq}`));
  await b.publish(ev('files:a', 1));
  await b.publish(ev('files:a', 2));
  await tick();
  assert.deepEqual(got, ['a:1', 'a:2', 'c:2']);
  await b.close();
});

test('brokers sharing a bus act as nodes: a publish on one reaches listeners on all', async () => {
  const bus = new MemoryBus();
  const n1 = new MemoryBroker({ bus });
  const n2 = new MemoryBroker({ bus });
  const got: string[] = [];
  n1.subscribe('files:a', (e) => got.push(`n1:${e.seq}`));
  n2.subscribe('files:a', (e) => got.push(`n2:${e.seq}`));
  assert.equal(bus.upstreamCount('files:a'), 2);
  await n1.publish(ev('files:a', 1));
  await n2.publish(ev('files:a', 2));
  await tick();
  assert.deepEqual(got, ['n1:1', 'n2:1', 'n1:2', 'n2:2']);
  await n2.close();
  assert.equal(bus.upstreamCount('files:a'), 1, 'a closed node drops its upstreams');
  await n1.publish(ev('files:a', 3));
  await tick();
  assert.deepEqual(got.slice(4), ['n1:3']);
  await n1.close();
});

test('onReconnect listeners run on simulateReconnect, isolated from each other', async () => {
  const errors: unknown[] = [];
  const b = new MemoryBroker({ onError: (e) => errors.push(e) });
  let n = 0;
  b.onReconnect(() => {
    throw new Error('x');
  });
  b.onReconnect(() => n++);
  b.simulateReconnect();
  assert.equal(n, 1);
  assert.equal(errors.length, 1);
  await b.close();
});

test('healthy until closed; afterwards publish and subscribe refuse with unavailable', async () => {
  const b = new MemoryBroker();
  assert.equal(await b.healthy(), true);
  await b.close();
  assert.equal(await b.healthy(), false);
  const isUnavailable = (e: unknown) => e instanceof WsguardError && e.code === 'unavailable';
  await assert.rejects(b.publish(ev('files:a', 1)), isUnavailable);
  assert.throws(() => b.subscribe('files:a', () => {}), isUnavailable);
});
