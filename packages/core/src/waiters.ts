import { abortable } from './abortable.ts'
import type { Clock } from './clock.ts'

/**
 * The callers waiting for one manager's token. Rules:
 * - a caller's abort ends only its own wait, never what it waits for;
 * - while any caller waits, the clock holds the process open: an acquisition someone awaits (its
 *   retry sleeps included) keeps the process alive, as a pending socket would; one nobody awaits
 *   (a prefetch, a background refresh) does not.
 */
export class Waiters {
  readonly #clock: Clock
  #count = 0
  /** Lets the process go; set while anyone waits, when the clock can hold it. */
  #release: (() => void) | undefined

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Settles like `promise`, or rejects with the reason of `signal` once it aborts. */
  wait<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (this.#count++ === 0) this.#release = this.#clock.hold?.()
    const waited = abortable(promise, signal)
    const done = (): void => this.#ended()
    waited.then(done, done)
    return waited
  }

  /** One wait ended: the last one lets the process go. */
  #ended(): void {
    if (--this.#count > 0) return
    this.#release?.()
    this.#release = undefined
  }
}
