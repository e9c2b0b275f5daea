import type { TimerHandle } from './clock.ts'
import { diagnosticsChannels, publishChannel } from './diagnostics/diagnostics-channels.ts'
import type { RefreshScheduledMessage } from './diagnostics/diagnostics-messages.ts'
import { TokenAcquisitionError } from './errors.ts'
import type { ResolvedOptions } from './token-manager-options.ts'
import type { Token } from './token.ts'

/** The longest delay a timer takes (about 24.8 days); a later renewal is armed again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1
const scheduled = publishChannel(diagnosticsChannels.refreshScheduled)

/** What a {@link Renewal} needs from the manager it serves. */
export interface RenewalHost {
  readonly options: Pick<ResolvedOptions, 'clock' | 'prefetch' | 'retryDelay' | 'name' | 'pool'>
  /** Aborted when the manager closes. */
  readonly closing: AbortSignal
  /** The token in use, if any: a timer that fires without one starts nothing. */
  held(): Token | undefined
  /** Starts a proactive acquisition unless one is in flight or a cool-down runs; `undefined` when none started. */
  refreshIfIdle(now: number): Promise<unknown> | undefined
}

/**
 * A manager's proactive renewal. Rules:
 * - one timer at most, armed for the current token's `refreshAt` (never with `prefetch: 'lazy'`);
 *   one that fires early is armed again; the clock `unref`s it;
 * - one background refresh at a time, and only while the manager is idle (no acquisition in
 *   flight, no cool-down);
 * - after a failed background refresh none starts before `retryDelay(attempts + 1)` has passed,
 *   and the timer is armed for then; a new token ends that wait.
 */
export class Renewal {
  readonly #host: RenewalHost
  #timer: TimerHandle | undefined
  /** Epoch ms before which no background refresh starts (after a failed one). */
  #notBefore = 0

  constructor(host: RenewalHost) {
    this.#host = host
  }

  /** A new token is in use: renew it at `refreshAt`, if it has one. */
  renewAt(refreshAt: number | undefined): void {
    this.#notBefore = 0
    if (refreshAt !== undefined && this.#schedule(refreshAt)) this.#announce(refreshAt, false)
  }

  /** Starts one background refresh unless one runs already or the last one failed too recently. */
  refreshInBackground(now: number): void {
    const host = this.#host
    if (now < this.#notBefore || host.closing.aborted) return
    host.refreshIfIdle(now)?.catch((error: unknown) => {
      if (host.closing.aborted) return
      const [attempts, cause] = error instanceof TokenAcquisitionError ? [error.attempts, error.cause] : [1, error]
      this.#notBefore = host.options.clock.now() + host.options.retryDelay(attempts + 1, cause)
      if (this.#schedule(this.#notBefore)) this.#announce(this.#notBefore, true)
    })
  }

  /** Disarms the timer. */
  stop(): void {
    if (this.#timer === undefined) return
    this.#host.options.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Publishes on `tokenwarden:refresh:scheduled` that a renewal is due at `at`, when anyone listens. */
  #announce(at: number, afterFailure: boolean): void {
    if (!scheduled.hasSubscribers) return
    const { name, pool, clock } = this.#host.options
    scheduled.publish({ credential: name, pool, refreshAt: at, delayMs: Math.max(0, at - clock.now()), afterFailure } satisfies RefreshScheduledMessage)
  }

  /** Arms the one timer that renews the token at `at`; whether it did (never with `prefetch: 'lazy'`). */
  #schedule(at: number): boolean {
    const { options, closing } = this.#host
    if (options.prefetch === 'lazy' || closing.aborted) return false
    this.stop()
    const { clock } = options
    const delay = Math.min(Math.max(0, at - clock.now()), MAX_TIMER_MS)
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined
      const now = clock.now()
      if (now < at) this.#schedule(at)
      else if (this.#host.held() !== undefined) this.refreshInBackground(now)
    }, delay)
    return true
  }
}
