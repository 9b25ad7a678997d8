/**
 * When did a frame arrive? Node stamps it when its 'message' event runs, which is late when the
 * event loop was blocked: every frame the kernel buffered during the stall is read at once, just
 * after it. Charging them all at that instant would make a client that kept its rate look like a
 * burst (and close it 1008). So a frame read during or right after a stall may have arrived at
 * any time since the stall began: the rate limit places it as early as that window allows.
 *
 * A shared unref'd timer stamps each turn of the loop; a gap longer than STALL_MS between stamps
 * is a stall. The window stays open until the loop's check phase of that turn (all reads of the
 * turn), then closes.
 */
const TICK_MS = 10;
/** A gap between two turns longer than this is a stall (the timer alone jitters by a few ms). */
const STALL_MS = 50;

let lastTurn = 0;
let windowFrom: number | undefined;
let closing = false;
let timer: NodeJS.Timeout | undefined;

function closeWindow(): void {
  windowFrom = undefined;
  closing = false;
}

function onStall(from: number): void {
  windowFrom = Math.min(windowFrom ?? from, from);
  if (closing) return;
  closing = true;
  setImmediate(closeWindow); // after this turn's poll phase: the frames buffered during the stall are read by then
}

function tick(): void {
  const now = Date.now();
  if (now - lastTurn > STALL_MS) onStall(lastTurn);
  lastTurn = now;
}

/** Starts the turn stamp (once per process); idempotent. */
export function watchTurns(): void {
  if (timer) return;
  lastTurn = Date.now();
  timer = setInterval(tick, TICK_MS);
  timer.unref();
}

/** The earliest time a frame read at `now` may have arrived: `now`, or the start of a stall it was buffered in. */
export function earliestArrival(now: number): number {
  if (timer === undefined) return now;
  if (now - lastTurn > STALL_MS) onStall(lastTurn); // the stall just ended and the timer has not run yet
  return windowFrom === undefined ? now : Math.min(windowFrom, now);
}
