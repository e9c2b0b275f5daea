import type { Clock } from '@tokenwarden/core'
import type { CircuitBreaker } from './circuit-breaker.ts'
import { storeClosed, storeUnavailable } from './store-errors.ts'

/**
 * Runs every Redis call of a store under its own deadline and the store's breaker. Simple rules:
 * - a call not answered within `timeoutMs` rejects with `TOKEN_STORE_UNAVAILABLE` at that moment,
 *   whatever the client does (node-redis does not end a command already written to a hung socket);
 * - its late answer is swallowed, or handed to `onLate` (to undo a lease taken too late);
 * - a failure or a timeout opens the breaker; while it is open, calls reject at once;
 * - after `close()`, calls reject with `TOKEN_STORE_CLOSED`.
 */
export class RedisGuard {
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #breaker: CircuitBreaker
  #closed = false

  constructor(timeoutMs: number, clock: Clock, breaker: CircuitBreaker) {
    this.#timeoutMs = timeoutMs
    this.#clock = clock
    this.#breaker = breaker
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Rejects every later call. */
  close(): void {
    this.#closed = true
  }

  /**
   * Runs a clean-up `call` (a lease release) under the deadline alone: the breaker neither stops it
   * nor hears of it, and it never rejects. Releasing is always worth a try, even after `close()`.
   */
  cleanUp(call: () => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(resolve, this.#timeoutMs)
      const done = (): void => {
        this.#clock.clearTimeout(timer)
        resolve()
      }
      try {
        call().then(done, done)
      } catch {
        done()
      }
    })
  }

  /** Runs `call` (named `what` in errors) under the deadline and the breaker. */
  run<T>(what: string, call: () => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    if (this.#closed) return Promise.reject(storeClosed())
    const admission = this.#breaker.admit(this.#clock.now())
    if (admission === 'reject') {
      return Promise.reject(storeUnavailable(`Redis is paused after a failure; ${what} was not sent`))
    }
    const probe = admission === 'probe'
    let pending: Promise<T>
    try {
      pending = call()
    } catch (error) {
      pending = Promise.reject(error)
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = this.#clock.setTimeout(() => {
        settled = true
        this.#breaker.failed(this.#clock.now(), probe, undefined)
        reject(storeUnavailable(`Redis did not answer ${what} within ${this.#timeoutMs} ms`))
      }, this.#timeoutMs)
      pending.then(
        (value) => {
          if (settled) {
            onLate?.(value)
            return
          }
          settled = true
          this.#clock.clearTimeout(timer)
          this.#breaker.succeeded()
          resolve(value)
        },
        (error: unknown) => {
          if (settled) return
          settled = true
          this.#clock.clearTimeout(timer)
          this.#breaker.failed(this.#clock.now(), probe, error)
          reject(storeUnavailable(`Redis failed ${what}`, error))
        },
      )
    })
  }
}
