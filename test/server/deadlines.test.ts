import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deadlines, type Scheduled } from '../../src/server/deadlines.js';

class Item implements Scheduled {
  dueAt = 0;
  heapIndex = -1;
  constructor(readonly name: string, private readonly fired: string[], private readonly onFire?: () => void) {}
  fire(): void {
    this.fired.push(this.name);
    this.onFire?.();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('deadlines: items fire in due order, each once, on one shared timer', async () => {
  const fired: string[] = [];
  const q = new Deadlines<Item>();
  const now = Date.now();
  // Deterministic shuffle of 200 due times spread over 0..199 ms from now.
  const items = Array.from({ length: 200 }, (_, i) => new Item(String(i), fired));
  const order = items.map((_, i) => (i * 73) % 200);
  order.forEach((k, i) => q.schedule(items[i]!, now + k));
  assert.equal(q.size, 200);
  await sleep(400);
  assert.equal(fired.length, 200);
  const dueOf = (name: string) => order[Number(name)]!;
  for (let i = 1; i < fired.length; i++) assert.ok(dueOf(fired[i - 1]!) <= dueOf(fired[i]!), `fired out of order at ${i}`);
  assert.equal(q.size, 0);
  assert.ok(items.every((it) => it.heapIndex === -1));
});

test('deadlines: cancel and reschedule (earlier and later) keep the heap right', async () => {
  const fired: string[] = [];
  const q = new Deadlines<Item>();
  const now = Date.now();
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => new Item(n, fired)) as [Item, Item, Item, Item, Item];
  q.schedule(a, now + 40);
  q.schedule(b, now + 50);
  q.schedule(c, now + 60);
  q.schedule(d, now + 70);
  q.schedule(e, now + 80);
  q.cancel(b);
  q.cancel(b); // a no-op the second time
  q.schedule(e, now + 10); // earlier
  q.schedule(a, now + 90); // later
  q.cancel(c);
  assert.equal(q.size, 3);
  await sleep(250);
  assert.deepEqual(fired, ['e', 'd', 'a']);
});

test('deadlines: a fire() may reschedule itself; one that throws does not stop the others', async () => {
  const fired: string[] = [];
  const errors: unknown[] = [];
  const q = new Deadlines<Item>((err) => errors.push(err));
  const now = Date.now();
  let again = true;
  const self: Item = new Item('self', fired, () => {
    if (again) q.schedule(self, Date.now() + 20);
    again = false;
  });
  const boom = new Item('boom', fired, () => {
    throw new Error('boom');
  });
  const after = new Item('after', fired);
  q.schedule(self, now + 5);
  q.schedule(boom, now + 10);
  q.schedule(after, now + 10);
  await sleep(200);
  assert.deepEqual(fired.filter((n) => n === 'self').length, 2);
  assert.ok(fired.includes('boom') && fired.includes('after'));
  assert.equal(errors.length, 1);
  assert.equal(q.size, 0);
});

test('deadlines: clear() unschedules everything; nothing fires after', async () => {
  const fired: string[] = [];
  const q = new Deadlines<Item>();
  const items = ['x', 'y'].map((n) => new Item(n, fired));
  for (const it of items) q.schedule(it, Date.now() + 10);
  q.clear();
  await sleep(60);
  assert.deepEqual(fired, []);
  assert.ok(items.every((it) => it.heapIndex === -1));
});
