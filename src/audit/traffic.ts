/** Everything every check saw (frames, close reasons, HTTP answers), for the passive checks. */
import type { TrafficEntry, TrafficRecorder } from './types.js';

export class MemoryTrafficRecorder implements TrafficRecorder {
  private readonly list: TrafficEntry[] = [];
  private bytes = 0;

  /** Bounded: beyond `maxBytes` of text, new entries are dropped (the audit must not balloon). */
  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  record(entry: TrafficEntry): void {
    const size = entry.text.length + (entry.bytes?.length ?? 0);
    if (this.bytes + size > this.maxBytes) return;
    this.bytes += size;
    this.list.push(entry);
  }

  entries(): readonly TrafficEntry[] {
    return this.list;
  }
}
