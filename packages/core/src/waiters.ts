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
  /** Resolves {@link Waiters.idle}'s promise; set while someone awaits it. */
  #onIdle: (() => void) | undefined
  #idle: Promise<void> | undefined

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

  /** Whether any caller waits. */
  get waiting(): boolean {
    return this.#count > 0
  }

  /** Resolves once no caller waits: at once when none does. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve()
    return (this.#idle ??= new Promise((resolve) => (this.#onIdle = resolve)))
  }

  /** One wait ended: the last one lets the process go, and ends {@link Waiters.idle}. */
  #ended(): void {
    if (--this.#count > 0) return
    this.#release?.()
    this.#release = undefined
    this.#onIdle?.()
    this.#onIdle = undefined
    this.#idle = undefined
  }
}
