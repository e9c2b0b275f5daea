import { type AcquisitionJob, asksForMore } from './acquisition-job.ts'
import { type AcquisitionHost, pause, producedBy, runAttempts } from './acquisition-loop.ts'
import { ReauthorizationRequiredError, type TokenError, isTokenError } from './errors.ts'
import type { NormalizedToken } from './normalize-grant.ts'
import type { AcquireContext, TokenGrant } from './source.ts'
import type { TokenEvent } from './token-events.ts'
import type { ResolvedOptions } from './token-manager-options.ts'
import type { Token } from './token.ts'

/** A counter of the manager's stats that its source calls move. */
export type CallCounter = 'attempts' | 'failures'

/** What a {@link SourceCaller} needs from the manager it serves. */
export interface CallerHost {
  /** The credential's name. */
  readonly name: string
  readonly options: Pick<
    ResolvedOptions,
    'source' | 'store' | 'storeKey' | 'clock' | 'maxRetries' | 'retryDelay' | 'sourceTimeoutMs'
  >
  /** Aborted when the manager closes. */
  readonly closing: AbortSignal
  /** The token in use, if any. */
  held(): Token | undefined
  /** The last token published, or remembered from the store. */
  last(): Token | undefined
  /** The scopes the manager asks for; `undefined` leaves them to the source. */
  scopes(): readonly string[] | undefined
  /** A grant made a token of this manager (its next generation). */
  normalize(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken
  /** Adds one to a counter of the manager's stats. */
  count(counter: CallCounter): void
  /** Tells the manager's subscribers. */
  emit(event: TokenEvent): void
  /** An acquisition failed for good with `error`: the manager's cool-down starts. */
  failed(error: TokenError): void
  /** The error to end with once the manager is closed. */
  closedError(): TokenError
}

/**
 * Calls a manager's source for its acquisitions, one at a time. Rules:
 * - the source is given the job's reason and claims, the scopes the manager asks for, and as
 *   `previous` the token in use, else the last one the manager had;
 * - attempts run under {@link runAttempts}: each one deadlined, transient failures retried with
 *   backoff, every failed attempt told in a `refresh-failed` event;
 * - a scope upgrade's token must grant every scope asked for, else the attempt fails with
 *   {@link ReauthorizationRequiredError};
 * - an acquisition that fails for good starts the manager's cool-down, unless it asked for more
 *   than the token it replaces (claims, scopes): that failure says nothing of the next plain one.
 */
export class SourceCaller {
  readonly #host: CallerHost
  /** What the attempt loop asks; it reads the job whose attempts run now. */
  readonly #loop: AcquisitionHost<NormalizedToken>
  #running: AcquisitionJob | undefined

  constructor(host: CallerHost) {
    this.#host = host
    const { name, options, closing } = host
    const { source } = options
    this.#loop = {
      name,
      options,
      source,
      closing,
      attempt: async (signal, issuedAt) => {
        const job = this.#running as AcquisitionJob
        host.count('attempts')
        job.attempts++
        const grant = await source.acquire(this.#context(job, signal))
        const normalized = host.normalize(grant, issuedAt, producedBy(grant, source.kind))
        if (job.reason === 'scope-upgrade') this.#checkScopes(normalized.token)
        return normalized
      },
      failed: (error, attempt, retryInMs) => {
        host.count('failures')
        const reason = (this.#running as AcquisitionJob).reason
        host.emit({ type: 'refresh-failed', credential: name, error, attempt, reason, retryInMs })
      },
      closedError: () => host.closedError(),
    }
  }

  /** Calls the source for `job`, with retries, until it gives a usable token. */
  async call(job: AcquisitionJob): Promise<NormalizedToken> {
    this.#running = job
    try {
      return await runAttempts(this.#loop)
    } catch (error) {
      if (isTokenError(error) && !this.#host.closing.aborted && !asksForMore(job.reason)) this.#host.failed(error)
      throw error
    } finally {
      this.#running = undefined
    }
  }

  /** Sleeps `ms` on the manager's clock; rejects with the closed error when the manager closes meanwhile. */
  pause(ms: number): Promise<void> {
    return pause(this.#loop, ms)
  }

  #context(job: AcquisitionJob, signal: AbortSignal): AcquireContext {
    const { name, options } = this.#host
    const { store, storeKey } = options
    return {
      signal,
      reason: job.reason,
      credential: name,
      previous: this.#host.held() ?? this.#host.last(),
      scopes: this.#host.scopes(),
      claims: job.claims,
      mayUnref: true,
      stored: () => (store === undefined ? Promise.resolve(undefined) : store.get(storeKey)),
    }
  }

  #checkScopes(token: Token): void {
    const { name } = this.#host
    const scopes = this.#host.scopes()
    const missing = (scopes ?? []).filter((scope) => !token.scope.includes(scope))
    if (missing.length === 0) return
    throw new ReauthorizationRequiredError(`"${name}" was not granted every scope it asked for`, {
      credential: name,
      scopes,
    })
  }
}

/**
 * The error a scope upgrade to `scopes` ends with. Rules: a {@link ReauthorizationRequiredError}
 * that names scopes, and a transient failure, as they are; any other failure says the source
 * cannot grant them: a {@link ReauthorizationRequiredError} carrying `scopes`, the failure as `cause`.
 */
export function upgradeFailure(error: unknown, name: string, scopes: readonly string[]): unknown {
  if (error instanceof ReauthorizationRequiredError && error.scopes.length > 0) return error
  if (isTokenError(error) && error.transient !== false) return error
  return new ReauthorizationRequiredError(`"${name}" cannot be granted the scopes it asked for`, {
    cause: error,
    credential: name,
    scopes,
  })
}
