/** HTTP statuses an injected failure answers with, as a flaky gateway or server would. */
export const INJECTED_FAILURE_STATUSES = [500, 502, 503] as const;
export type InjectedFailureStatus = (typeof INJECTED_FAILURE_STATUSES)[number];

export interface FaultRates {
  /** Probability (0..1) of answering 500/502/503 before anything is stored. */
  failureRate: number;
  /** Probability (0..1) of adding `latencyMs` before answering. */
  latencyRate: number;
  latencyMs: number;
  /** Probability (0..1) of storing the users, then destroying the connection without an answer. */
  dropRate: number;
  /**
   * Probability (0..1) of a 429 that says nothing about the limit (`Retry-After: 1`, a plain-text
   * body), as a flaky proxy or other traffic from the same IP produce. Nothing is stored.
   */
  spurious429Rate: number;
}

/** What to do to one bulk request. */
export interface FaultPlan {
  /** Answer 429 before anything else (and before the rate limit counts the request). */
  spurious429: boolean;
  failStatus: InjectedFailureStatus | null;
  delayMs: number;
  drop: boolean;
}

/**
 * Decides the faults of each bulk request from a seeded PRNG. Every plan draws the same number
 * of values whatever the rates, so one seed gives one sequence of plans.
 */
export class FaultInjector {
  constructor(
    private readonly rates: FaultRates,
    private readonly random: () => number,
  ) {}

  next(): FaultPlan {
    const failRoll = this.random();
    const statusRoll = this.random();
    const latencyRoll = this.random();
    const dropRoll = this.random();
    const spuriousRoll = this.random();
    const statusIndex = Math.floor(statusRoll * INJECTED_FAILURE_STATUSES.length);
    return {
      spurious429: spuriousRoll < this.rates.spurious429Rate,
      failStatus: failRoll < this.rates.failureRate ? (INJECTED_FAILURE_STATUSES[statusIndex] ?? 500) : null,
      delayMs: latencyRoll < this.rates.latencyRate ? this.rates.latencyMs : 0,
      drop: dropRoll < this.rates.dropRate,
    };
  }
}
