import { type TokenError, setRetryAt } from './errors.ts'
import { retryAfterMs } from './retry-policy.ts'
import type { Token } from './token.ts'

/**
 * How a failing credential is kept from flooding its identity provider. Simple rules:
 * - **cool-down**: after an acquisition fails (a terminal error, or retries spent), the next one
 *   starts no sooner than `coolDown` later (1 s by default), doubled for each acquisition that failed
 *   in a row, at most 60 s, never less than the server's `Retry-After`, with equal jitter. Callers
 *   meanwhile get that same error at once, its `retryAt` saying when the next try may run;
 * - `refresh()` and `setToken()` end a cool-down, and any new token resets the count; a scope
 *   upgrade or a claims challenge asks for more than the failed acquisition did: it runs despite a
 *   cool-down and starts none;
 * - **quick rejections**: a token rejected (401) less than a minute after it was issued counts as a
 *   quick rejection. The first is answered at once; from the second in a row, the new acquisition
 *   first waits `coolDown`, doubled each time, at most 60 s. A token that lived longer before its
 *   rejection starts the count again.
 */
export const failureDefaults: Readonly<{
  coolDownInMs: number
  maxCoolDownInMs: number
  quickRejectionInMs: number
}> = Object.freeze({
  coolDownInMs: 1000,
  maxCoolDownInMs: 60_000,
  quickRejectionInMs: 60_000,
})

/** The failure state of one manager: its cool-down and its run of quick rejections. */
export class FailureGate {
  readonly #baseMs: number
  readonly #random: () => number
  /** Acquisitions failed in a row. */
  #failures = 0
  /** The last failure's error while its cool-down lasts. */
  #error: TokenError | undefined
  #until = 0
  /** Quick rejections in a row. */
  #rejections = 0

  /** `baseMs` 0 turns both the cool-down and the rejection backoff off. */
  constructor(baseMs: number, random: () => number = Math.random) {
    this.#baseMs = baseMs
    this.#random = random
  }

  /** The error callers get at `now` instead of a new acquisition, while a cool-down lasts. */
  blocked(now: number): TokenError | undefined {
    return this.#error !== undefined && now < this.#until ? this.#error : undefined
  }

  /** Records a failed acquisition at `now`: starts its cool-down and sets `error.retryAt`. */
  failed(error: TokenError, now: number): void {
    if (this.#baseMs === 0) return
    this.#failures++
    const serverMs = retryAfterMs(error) ?? retryAfterMs(error.cause) ?? 0
    this.#until = now + Math.max(this.#backoff(this.#failures), serverMs)
    this.#error = error
    setRetryAt(error, this.#until)
  }

  /** A new token was published: failures in a row are over. */
  succeeded(): void {
    this.#failures = 0
    this.end()
  }

  /** Ends the cool-down now (a forced refresh, a manual token). */
  end(): void {
    this.#error = undefined
    this.#until = 0
  }

  /** Records that `token` was rejected at `now`; returns how long the new acquisition must first wait, in ms. */
  rejected(token: Token, now: number): number {
    if (this.#baseMs === 0) return 0
    this.#rejections = now - token.issuedAt < failureDefaults.quickRejectionInMs ? this.#rejections + 1 : 1
    return this.#rejections < 2 ? 0 : this.#backoff(this.#rejections - 1)
  }

  /** `baseMs × 2^(n-1)`, capped, with equal jitter (between half and all of it). */
  #backoff(n: number): number {
    const ceiling = Math.min(failureDefaults.maxCoolDownInMs, this.#baseMs * 2 ** Math.min(n - 1, 30))
    return ceiling * (0.5 + this.#random() / 2)
  }
}
