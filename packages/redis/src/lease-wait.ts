import type { Clock } from '@tokenwarden/core'
import type { KeyListener } from './subscriptions.ts'

/**
 * A waiter's wake-up: counts the messages heard on its channel, so that a wait started after an
 * answer returns at once when a message arrived since the try that gave that answer (the listener
 * is armed before the try, so no publish slips between them).
 */
export class LeaseWait implements KeyListener {
  readonly #clock: Clock
  #heard = 0
  #wake: (() => void) | undefined

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** How many messages were heard so far; read it before each try. */
  get heard(): number {
    return this.#heard
  }

  /** Counts a message about the key, and ends a wait. */
  hear(): void {
    this.#heard++
    this.#wake?.()
  }

  /**
   * Resolves when a message newer than `since` is heard or after `ms`, whichever is first; rejects
   * with `reason()` when `signal` aborts.
   */
  until(since: number, ms: number, signal: AbortSignal, reason: () => unknown): Promise<void> {
    if (signal.aborted) return Promise.reject(reason())
    if (this.#heard > since) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#clock.clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        this.#wake = undefined
      }
      const onAbort = (): void => {
        done()
        reject(reason())
      }
      const timer = this.#clock.setTimeout(() => {
        done()
        resolve()
      }, ms)
      this.#wake = () => {
        done()
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
}
