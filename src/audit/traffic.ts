/** Everything every check saw (frames, close reasons, HTTP answers), for the passive checks. */
import type { TrafficEntry, TrafficRecorder } from './types.js';

/** What one entry object costs beyond its text and bytes (a flood of empty frames is not free). */
const ENTRY_OVERHEAD = 256;

export class MemoryTrafficRecorder implements TrafficRecorder {
  private readonly list: TrafficEntry[] = [];
  private bytes = 0;
  private readonly perCheck = new Map<string, number>();

  /**
   * Bounded, because the target decides how much it sends: beyond `maxBytes` in all, or
   * `maxCheckBytes` for one check, new entries are dropped (the audit must not balloon, and
   * one flooding probe must not crowd out what the other checks saw).
   */
  constructor(private readonly maxBytes = 32 * 1024 * 1024, private readonly maxCheckBytes = 8 * 1024 * 1024) {}

  record(entry: TrafficEntry): void {
    const size = entry.text.length + (entry.bytes?.length ?? 0) + ENTRY_OVERHEAD;
    const mine = this.perCheck.get(entry.checkId) ?? 0;
    if (this.bytes + size > this.maxBytes || mine + size > this.maxCheckBytes) return;
    this.bytes += size;
    this.perCheck.set(entry.checkId, mine + size);
    this.list.push(entry);
  }

  entries(): readonly TrafficEntry[] {
    return this.list;
  }
}
