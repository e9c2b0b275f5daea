/** A timer handle as returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown

/**
 * Where the core reads the time and schedules work. Swap it in tests for deterministic time; the
 * default reads `Date.now()` and the global timers at each call, so fake timers apply to it.
 */
export interface Clock {
  /** The current time, epoch milliseconds. */
  now(): number
  /** Runs `callback` after `ms`; the timer never keeps the process alive (it is `unref`'d). */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer from {@link Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void
  /**
   * Keeps the process alive, as a pending socket would, until the returned function is called.
   * The manager holds it while a caller waits for a token. A clock without it never holds the process.
   */
  hold?(): () => void
}

const FOREVER_MS = 2 ** 31 - 1
const noop = (): void => {}

/**
 * The clock of the running process; every timer it starts is `unref`'d. `hold` keeps one
 * referenced interval, which does nothing, while a caller waits.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, ms))
    timer.unref?.()
    return timer
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
  hold(): () => void {
    const handle = setInterval(noop, FOREVER_MS)
    return () => clearInterval(handle)
  },
})

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first.
 * The timer is `unref`'d and cleared on abort, so nothing lingers.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
