/**
 * One timer for the deadlines of every connection (first-message auth deadline, token expiry
 * notice, token expiry): an indexed binary min-heap by due time, and a single Node timer armed
 * for the earliest. A Timeout per connection cost about 300 bytes of heap per idle connection
 * (the Timeout, its argument array, and a Node TimersList per distinct duration: expiry
 * durations differ per connection); here a connection costs one heap slot and two fields.
 * Deadlines stay exact to the millisecond (no coarse sweep).
 */

/** setTimeout's ceiling (about 24.8 days): longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the queue orders: the item carries its own due time and heap position (no wrapper object). */
export interface Scheduled {
  /** Epoch ms at which `fire` is due (meaningful while scheduled). */
  dueAt: number;
  /** Position in the heap; -1 when not scheduled. */
  heapIndex: number;
  /** Called once the due time has passed; the item is no longer scheduled when it runs. */
  fire(): void;
}

export class Deadlines<T extends Scheduled> {
  private readonly heap: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The due time the timer is armed for (Infinity: not armed). */
  private armedFor = Infinity;
  private readonly run = (): void => this.expire();

  /** @param onError what a throwing `fire` is reported to (the other due items still fire). */
  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at `at` (epoch ms), replacing its previous deadline. */
  schedule(item: T, at: number): void {
    const i = item.heapIndex;
    const earlier = i < 0 || at < item.dueAt;
    item.dueAt = at;
    if (i < 0) {
      item.heapIndex = this.heap.length;
      this.heap.push(item);
      this.up(item.heapIndex);
    } else if (earlier) this.up(i);
    else this.down(i);
    this.arm();
  }

  /** Unschedules `item` (a no-op when it is not scheduled). */
  cancel(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    this.removeAt(i);
    this.arm();
  }

  /** Unschedules everything and stops the timer. */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap.length = 0;
    this.arm();
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    // Bounded: items scheduled by a fire() at or before `now` run in this pass too, but each
    // fire() is at most one entry per item and the heap only holds live connections.
    for (let budget = this.heap.length * 2 + 1; budget > 0 && this.heap.length > 0 && this.heap[0]!.dueAt <= now; budget--) {
      const item = this.heap[0]!;
      this.removeAt(0);
      try {
        item.fire();
      } catch (err) {
        this.onError(err);
      }
    }
    this.arm();
  }

  private arm(): void {
    const next = this.heap.length > 0 ? this.heap[0]!.dueAt : Infinity;
    if (next === this.armedFor) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = next;
    if (next === Infinity) return;
    this.timer = setTimeout(this.run, Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS));
    // The sockets keep the process alive; a pending deadline alone must not.
    this.timer.unref();
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    item.heapIndex = -1;
    const last = heap.pop()!;
    if (i === heap.length) return; // it was the last slot
    heap[i] = last;
    last.heapIndex = i;
    if (i > 0 && last.dueAt < heap[(i - 1) >> 1]!.dueAt) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.dueAt <= item.dueAt) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.dueAt < heap[l]!.dueAt ? r : l;
      const child = heap[c]!;
      if (child.dueAt >= item.dueAt) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
