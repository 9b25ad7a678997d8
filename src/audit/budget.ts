/** The audit-wide connection budget: every handshake and connection takes one unit. */
export class BudgetExceededError extends Error {}

export class ConnectionBudget {
  private used = 0;
  constructor(readonly max: number) {}

  take(what: string): void {
    if (this.used >= this.max) throw new BudgetExceededError(`connection budget of ${this.max} exhausted (${what})`);
    this.used++;
  }

  get spent(): number {
    return this.used;
  }
}
