/** What the liveness watch (liveness.ts) saw, shared by the runner hook, the checks and WSG-LIVE-01/02. */
export interface LivenessEvent {
  /** The check after which the target stopped answering. */
  after: string;
  /** What that check said it had just sent, when it noticed itself (reportIfDown). */
  inputs: string[];
  /** Epoch ms of the first unanswered probe. */
  since: number;
  /** Probes made, and how many went unanswered. */
  probes: number;
  failures: number;
  /** 'down': no answer within the window; 'recovered': answered again within it. */
  outcome: 'down' | 'recovered';
  /** Epoch ms of the first answer after the silence (set later for a crash that recovers). */
  answeredAt?: number;
  /** Epoch ms of the last unanswered probe. */
  lastFailure: number;
  /** Why the probes failed (the last error). */
  detail: string;
  /**
   * Other checks that were running when the silence began (checks in the concurrent pool): any
   * of them may have caused it. Empty for the isolated checks, which run alone.
   */
  alongside?: string[];
  /** Epoch ms until which the checks after it wait for an answer (liveness.ts recoveryWaitMs), set by the first. */
  recoveryUntil?: number;
}

export class LivenessLog {
  readonly events: LivenessEvent[] = [];
  /** Inputs checks reported right after which the target did not answer. */
  private readonly suspects = new Map<string, { input: string; at: number }[]>();
  private inFlight: Promise<void> | null = null;

  suspect(checkId: string, input: string): void {
    const list = this.suspects.get(checkId) ?? [];
    if (list.length < 10) list.push({ input, at: Date.now() });
    this.suspects.set(checkId, list);
  }

  takeSuspects(checkId: string): { input: string; at: number }[] {
    const list = this.suspects.get(checkId) ?? [];
    this.suspects.delete(checkId);
    return list;
  }

  /** The crash still open (down, not answered since). */
  openCrash(): LivenessEvent | undefined {
    return this.events.find((e) => e.outcome === 'down' && e.answeredAt === undefined);
  }

  /** One confirmation at a time: concurrent checks wait for it instead of piling on probes. */
  async exclusive(fn: () => Promise<void>): Promise<void> {
    while (this.inFlight) await this.inFlight;
    // The watch must never break the audit: a failed probe round is logged as nothing.
    this.inFlight = fn().catch(() => undefined).finally(() => { this.inFlight = null; });
    await this.inFlight;
  }
}
