/**
 * One channel subscription and its exactly-once, in-order delivery.
 *
 * `lastSeq` is the last seq delivered. An event is delivered only when it is the next one (lastSeq + 1):
 * anything at or below lastSeq is a duplicate (replay overlapping what we saw before a reconnect) and is
 * dropped; anything above lastSeq + 1 is a gap. The server promises gap-free replay-then-live, so a gap
 * means an event was lost in transit or by a server bug: the client drops the early event and resubscribes
 * with `since = lastSeq`, and the replay brings the missing events and the dropped one back, in order.
 * Seqs are per channel and gap-free, so "next one only" is enough: no buffering, no reordering.
 */
import type { FileEvent } from '../protocol/messages.js';
import { callApp, ClientError } from './errors.js';
import type { HistoryGoneInfo, SubscribeOptions, Subscription, SubscriptionStatus } from './types.js';

/** `reset`: the event is from another log epoch than this subscription's (see epochChanged). */
export type Verdict = 'deliver' | 'duplicate' | 'gap' | 'reset';

export class ChannelSubscription implements Subscription {
  lastSeq: number | undefined;
  /** Id of the `subscribe` in flight on the current socket; undefined once `subscribed` came back. */
  pendingId: string | undefined;
  /** The channel log's epoch (from `subscribed` and events); a different one means the log was reset. */
  epoch: string | undefined;
  /** After a reset: events are ignored until the resubscribe from the new log's start is confirmed. */
  private resetting = false;
  active = true;
  /** Consecutive retryable refusals of this subscribe (the backoff exponent) and the timer of the next try. */
  retries = 0;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _status: SubscriptionStatus = 'pending';
  readonly ready: Promise<number>;
  private settleReady: { resolve: (seq: number) => void; reject: (err: ClientError) => void } | undefined;

  constructor(
    readonly channel: string,
    private readonly opts: SubscribeOptions,
    private readonly onUnsubscribe: (sub: ChannelSubscription) => void,
  ) {
    this.lastSeq = opts.since;
    this.ready = new Promise<number>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // The app may never look at `ready`; a refusal is also reported through onError.
    this.ready.catch(() => {});
  }

  get status(): SubscriptionStatus {
    return this._status;
  }

  /** Tells the app when the subscription's true state changes (live, waiting for a connection, over). */
  setStatus(status: SubscriptionStatus): void {
    if (this._status === status || this._status === 'refused' || this._status === 'closed') return;
    this._status = status;
    callApp(this.opts.onStatus, status);
  }

  /** Classifies an incoming event's seq (see the module comment). */
  classify(seq: number, epoch?: string): Verdict {
    if (this.resetting) return 'duplicate';
    if (epoch !== undefined && this.epoch !== undefined && epoch !== this.epoch) return 'reset';
    if (this.lastSeq === undefined || seq === this.lastSeq + 1) return 'deliver';
    return seq <= this.lastSeq ? 'duplicate' : 'gap';
  }

  deliver(event: FileEvent): void {
    this.lastSeq = event.seq;
    if (event.epoch !== undefined) this.epoch = event.epoch; // e.g. subscribed before the log existed
    callApp(this.opts.onEvent, event);
  }

  /**
   * The server confirmed the subscription; `head` is the channel's latest seq, `epoch` its log's.
   * Returns true when the epoch changed: the caller resubscribes (from the new log's start).
   */
  subscribed(head: number, epoch?: string): boolean {
    this.pendingId = undefined;
    this.retries = 0;
    if (epoch !== undefined && this.epoch !== undefined && epoch !== this.epoch) {
      this.epochChanged(epoch);
      return true;
    }
    this.resetting = false;
    if (epoch !== undefined) this.epoch = epoch;
    // Subscribed without a starting point: live events start after the current head.
    if (this.lastSeq === undefined) this.lastSeq = head;
    this.setStatus('live');
    this.settleReady?.resolve(head);
    this.settleReady = undefined;
    return false;
  }

  /**
   * The log was reset (another epoch): its seqs start again, so lastSeq means nothing in it. Like
   * history_gone the app is told; then delivery restarts from the new log's first event (since 0),
   * ignoring whatever arrives until that resubscribe is confirmed.
   */
  epochChanged(epoch: string): void {
    const info: HistoryGoneInfo = { channel: this.channel, lastSeq: this.lastSeq, reason: 'epoch' };
    this.epoch = epoch;
    this.lastSeq = 0;
    this.resetting = true;
    callApp(this.opts.onHistoryGone, info);
  }

  /** `history_gone`: tell the app, then restart from the channel's head (the next `subscribed`). */
  historyGone(): void {
    const info: HistoryGoneInfo = { channel: this.channel, lastSeq: this.lastSeq, reason: 'history_gone' };
    this.lastSeq = undefined;
    this.epoch = undefined; // the next `subscribed` tells the current one
    this.resetting = false;
    callApp(this.opts.onHistoryGone, info);
  }

  /** The server refused the subscription: it is over. */
  refused(err: ClientError): void {
    this.setStatus('refused');
    this.active = false;
    this.settleReady?.reject(err);
    this.settleReady = undefined;
    callApp(this.opts.onError, err);
  }

  /** The client closed for good: the subscription is over without an unsubscribe. */
  ended(err: ClientError): void {
    this.setStatus('closed');
    this.active = false;
    this.settleReady?.reject(err);
    this.settleReady = undefined;
  }

  unsubscribe(): void {
    if (!this.active) return;
    this.setStatus('closed');
    this.active = false;
    this.settleReady?.reject(new ClientError('closed', 'unsubscribed', { channel: this.channel }));
    this.settleReady = undefined;
    this.onUnsubscribe(this);
  }
}
