/**
 * The breaker's pauses. `pauseInMs` after the first failure, doubled for each failed probe, at most
 * `maxPauseInMs`, with equal jitter (half fixed, half random), so a fleet does not probe in step.
 */
export const breakerDefaults: Readonly<{ pauseInMs: number; maxPauseInMs: number }> = Object.freeze({
  pauseInMs: 1000,
  maxPauseInMs: 5000,
})

/** What the breaker lets a call do. */
export type Admission = 'pass' | 'probe' | 'reject'

/**
 * Keeps a store from waiting on a Redis that just failed. Simple rules:
 * - closed: every call passes;
 * - a failed call opens it for a pause; calls then fail fast;
 * - after the pause, exactly one call (the probe) passes; the others still fail fast;
 * - any call that Redis answers closes it; a failed probe opens it for a longer pause.
 * Failures of calls that were already in flight when it opened do not lengthen the pause.
 */
export class CircuitBreaker {
  readonly #random: () => number
  readonly #onChange: (open: boolean, cause?: unknown) => void
  /** Failed probes in a row, the first failure included; 0 while closed. */
  #failures = 0
  #until = 0
  #probing = false

  constructor(onChange: (open: boolean, cause?: unknown) => void, random: () => number = Math.random) {
    this.#onChange = onChange
    this.#random = random
  }

  /** Whether a call starting at `now` may go to Redis. */
  admit(now: number): Admission {
    if (this.#failures === 0) return 'pass'
    if (now < this.#until || this.#probing) return 'reject'
    this.#probing = true
    return 'probe'
  }

  /** Whether a failure opened it and no call has been answered since. */
  get open(): boolean {
    return this.#failures > 0
  }

  /** Epoch ms at which the next probe may run, or 0 while closed. */
  get openUntil(): number {
    return this.#failures === 0 ? 0 : this.#until
  }

  /** Redis answered a call. */
  succeeded(): void {
    const wasOpen = this.#failures > 0
    this.#failures = 0
    this.#probing = false
    if (wasOpen) this.#onChange(false)
  }

  /** A call failed at `now`; `probe` says whether it was the probe. */
  failed(now: number, probe: boolean, cause: unknown): void {
    if (this.#failures > 0 && !probe) return
    this.#probing = false
    this.#failures++
    const ceiling = Math.min(breakerDefaults.maxPauseInMs, breakerDefaults.pauseInMs * 2 ** (this.#failures - 1))
    this.#until = now + ceiling / 2 + (this.#random() * ceiling) / 2
    if (this.#failures === 1) this.#onChange(true, cause)
  }
}
