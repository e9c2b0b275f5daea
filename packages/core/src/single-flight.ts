import { type AcquisitionJob, asksForMore, mayJoin } from './acquisition-job.ts'
import type { TokenError } from './errors.ts'
import type { AcquireReason } from './source.ts'
import type { ResolvedOptions } from './token-manager-options.ts'
import type { Token } from './token.ts'
import { Waiters } from './waiters.ts'

/** What a {@link SingleFlight} needs from the manager it serves. */
export interface FlightHost {
  readonly options: Pick<ResolvedOptions, 'clock'>
  /** Aborted when the manager closes. */
  readonly closing: AbortSignal
  /** The error a cool-down answers with at `now`; `undefined` when none runs. */
  blocked(now: number): TokenError | undefined
  /** Runs `job` until it settles with its token (published) or its failure. */
  run(job: AcquisitionJob): Promise<Token>
  /** Adds one to the manager's count of waits. */
  count(counter: 'waits'): void
  /** The error to end with once the manager is closed. */
  closedError(): TokenError
}

const noop = (): void => {}

/**
 * A manager's one acquisition in flight, and the callers waiting for a token. Rules:
 * - a caller shares the job in flight when it may ({@link mayJoin}); a caller asking for more than
 *   that job (claims, scopes) waits for it to end and then asks again, so it starts its own job,
 *   which later callers asking for the same share;
 * - with no job in flight one starts, unless a cool-down answers with its error at once (never for
 *   a caller asking for more);
 * - a job stops being the one in flight once it published its token or ended ({@link detach}):
 *   a caller that rejects that token starts a new one;
 * - a caller's abort ends only its own wait; an already-aborted caller starts nothing.
 */
export class SingleFlight {
  readonly #host: FlightHost
  #job: AcquisitionJob | undefined
  /** Made at the first wait. */
  #waiters: Waiters | undefined

  constructor(host: FlightHost) {
    this.#host = host
  }

  /** The job in flight, if any. */
  get job(): AcquisitionJob | undefined {
    return this.#job
  }

  /** A token for `reason` (and `claims`): the caller's wait for the job in flight or a new one (see the rules). */
  request(
    signal: AbortSignal | undefined,
    reason: AcquireReason,
    claims?: string,
    delayMs?: number,
    rejected?: Token,
  ): Promise<Token> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    this.#host.count('waits')
    const waiters = (this.#waiters ??= new Waiters(this.#host.options.clock))
    return waiters.wait(this.#ensure(reason, claims, delayMs, rejected), signal)
  }

  /** Starts a job for `reason`; it is the one in flight until it publishes or ends. */
  start(reason: AcquireReason, claims: string | undefined, delayMs: number, rejected?: Token): Promise<Token> {
    const job: AcquisitionJob = { reason, claims, delayMs, rejected, promise: undefined as never, attempts: 0, outcome: undefined }
    this.#job = job
    job.promise = this.#host.run(job)
    job.promise.catch(noop)
    return job.promise
  }

  /**
   * Resolves once no job is in flight and no caller waits: every caller then has its token or its
   * error. A caller that asked for more starts its own job when the one it waited for ends; that
   * job is waited for too. Never rejects.
   */
  async settled(): Promise<void> {
    for (;;) {
      const job = this.#job
      if (job !== undefined) await job.promise.catch(noop)
      else if (this.#waiters?.waiting === true) await this.#waiters.idle()
      else return
    }
  }

  /** `job` is no longer the one in flight (it published its token, or ended). */
  detach(job: AcquisitionJob): void {
    if (this.#job === job) this.#job = undefined
  }

  #ensure(reason: AcquireReason, claims?: string, delayMs = 0, rejected?: Token): Promise<Token> {
    const job = this.#job
    if (job !== undefined && mayJoin(job, reason, claims)) return job.promise
    if (job !== undefined) {
      const again = (): Promise<Token> => {
        if (this.#host.closing.aborted) return Promise.reject(this.#host.closedError())
        return this.#ensure(reason, claims, delayMs, rejected)
      }
      return job.promise.then(again, again)
    }
    const blocked = asksForMore(reason) ? undefined : this.#host.blocked(this.#host.options.clock.now())
    if (blocked !== undefined) return Promise.reject(blocked)
    return this.start(reason, claims, delayMs, rejected)
  }
}
