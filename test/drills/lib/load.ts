/** A publisher that publishes one event at a time and records every outcome, for the fault drills. */
import type { TestClient } from '../../hub/support.js';
import type { EventStore } from '../../../src/store/types.js';
import { upload } from '../../hub/support.js';

export interface PublishLog {
  /** Acknowledged seqs, in ack order. */
  readonly acked: number[];
  /** Error codes received, in order. */
  readonly errors: string[];
}

/** Publishes to `channel` until `until()` is true or `max` publishes were made (bounded). */
export async function publishUntil(client: TestClient, channel: string, log: PublishLog, until: () => boolean, max = 2_000): Promise<void> {
  for (let i = 0; i < max && !until(); i++) {
    const reply = await client.request('file_upload', upload(channel, `f/${log.acked.length + log.errors.length}.pdf`));
    if (reply.type === 'ack' && reply.payload.seq !== undefined) log.acked.push(reply.payload.seq);
    else if (reply.type === 'error') log.errors.push(reply.payload.code);
    else throw new Error(`unexpected answer ${JSON.stringify(reply)}`);
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Every seq of `channel` in the log, ascending (retention is off in the drills: `gone` is a failure). */
export async function loggedSeqs(store: EventStore, channel: string): Promise<number[]> {
  const seqs: number[] = [];
  for (let since = 0; ;) {
    const page = await store.replay(channel, since, 1000);
    if (page.gone) throw new Error(`history gone after ${since}`);
    if (page.events.length === 0) return seqs;
    seqs.push(...page.events.map((e) => e.seq));
    since = page.events.at(-1)!.seq;
  }
}
