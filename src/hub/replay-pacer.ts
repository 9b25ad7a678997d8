/**
 * Hands out turns of the event loop to background reads (replay and gap-fill pages): one page per
 * turn, in FIFO order, whatever the number of readers. Between two pages the loop runs its I/O
 * phase, so a replay of any size never blocks other clients for longer than one page.
 */
export class TurnPacer {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    const next = this.waiting[this.head];
    if (next !== undefined) {
      this.waiting[this.head++] = undefined as unknown as () => void;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next(); // its page runs in the microtasks right after this callback
    }
    // Scheduled from inside a check-phase callback, so it runs in the next loop iteration, after I/O.
    if (this.head < this.waiting.length) this.schedule();
  };

  /** Resolves at the caller's turn: never in the current turn of the loop. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Readers waiting for a turn. */
  get waitingCount(): number {
    return this.waiting.length - this.head;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }
}
