import { systemClock } from '../clock.ts'

/** Node turns a longer timer delay into 1 ms: such a timeout means none, as the clients read it. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * What bounds one caller's wait for a token, in its HTTP client's own terms: the request's
 * `AbortSignal` and the client's timeout for the request.
 */
export interface WaitBounds {
  /** The request's signal: its abort ends the wait with the signal's reason. */
  readonly signal?: AbortSignal | null | undefined
  /**
   * The client's timeout for the request, in ms. `0`, a negative or non-finite value, or one past
   * 2³¹ − 1 ms (which Node's timers cannot hold) means none, as the clients read it.
   */
  readonly timeoutMs?: number | undefined
  /** The error the client itself raises when that timeout passes; the wait rejects with it. */
  readonly timedOut: () => unknown
}

/** A signal for one wait, and the function that lets go of its timer and listener. */
interface Limit {
  readonly signal: AbortSignal | undefined
  end(): void
}

const noop = (): void => {}

/**
 * Rules:
 * - without a timeout the caller's own signal is the wait's signal: nothing is allocated;
 * - with one, a signal of the wait's own aborts with the caller's reason, or with `timedOut()` once
 *   `timeoutMs` has passed; its timer is `unref`'d (the manager holds the process while a caller
 *   waits) and cleared, and its listener removed, as soon as the wait settles.
 */
function limit(bounds: WaitBounds): Limit {
  const caller = bounds.signal ?? undefined
  const ms = bounds.timeoutMs
  if (ms === undefined || !(ms > 0 && ms <= MAX_TIMER_MS)) return { signal: caller, end: noop }
  const controller = new AbortController()
  const onAbort = (): void => controller.abort(caller?.reason)
  if (caller?.aborted === true) onAbort()
  else caller?.addEventListener('abort', onAbort, { once: true })
  const timer = systemClock.setTimeout(() => controller.abort(bounds.timedOut()), ms)
  return {
    signal: controller.signal,
    end() {
      systemClock.clearTimeout(timer)
      caller?.removeEventListener('abort', onAbort)
    },
  }
}

/**
 * Runs `start` under the caller's deadline: it is given a signal that aborts with the caller's
 * reason, or with `bounds.timedOut()` once `bounds.timeoutMs` has passed, and the returned promise
 * rejects the same way. Only this caller's wait ends; the shared acquisition goes on for the
 * others. The timer and listener are let go as soon as the wait settles (or `start` throws).
 *
 * @example
 * ```ts
 * const token = await waitWithin({ signal, timeoutMs: 10_000, timedOut: () => new TimeoutError() }, (s) => manager.getToken({ signal: s }))
 * ```
 */
export function waitWithin<T>(bounds: WaitBounds, start: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const wait = limit(bounds)
  let result: Promise<T>
  try {
    result = start(wait.signal)
  } catch (error) {
    wait.end()
    throw error
  }
  return wait.end === noop ? result : result.finally(wait.end)
}
