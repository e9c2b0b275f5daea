import { ErrorCode, TokenError } from './errors.ts'
import type { AcquisitionJob } from './acquisition-job.ts'
import { boundTo } from './manager-dpop.ts'
import type { NormalizedToken } from './normalize-grant.ts'
import { mandatoryWindowMs } from './refresh-window.ts'
import type { TokenGrant } from './source.ts'
import type { SourceCaller } from './source-caller.ts'
import { type CoordinatingStore, type TokenStore, isCoordinatingStore } from './stores/token-store.ts'
import type { TokenEvent, UpdateReason } from './token-events.ts'
import type { ResolvedOptions } from './token-manager-options.ts'
import type { Token, TokenRecord } from './token.ts'

/** A counter of the manager's stats that its store link moves. */
export type StoreCounter = 'adopted' | 'storeFailures' | 'leasesWon' | 'leasesWaited'

/** How a coordinating store answered an acquisition (a `coordinated` event). */
type Outcome = Extract<TokenEvent, { type: 'coordinated' }>['outcome']

/** What a {@link StoreLink} needs from the manager it serves. */
export interface StoreHost {
  /** The credential's name. */
  readonly name: string
  readonly options: Pick<ResolvedOptions, 'clock' | 'expirySkewMs' | 'storeKey'>
  /** Aborted when the manager closes. */
  readonly closing: AbortSignal
  /** The manager's last few tokens, newest first (the current one included). */
  readonly recent: readonly Token[]
  /** The token in use, if any. */
  held(): Token | undefined
  /** The last token published, or remembered: what a source is given as `previous`. */
  last(): Token | undefined
  /** Makes `token` the `previous` of the next acquisition, without using it. */
  remember(token: Token): void
  /** The scopes the manager asks for; `undefined` leaves them to the source. */
  scopes(): readonly string[] | undefined
  /** The thumbprint of the credential's DPoP key; `undefined` without one. */
  jkt(): string | undefined
  /** A grant or a stored record made a token of this manager (its next generation). */
  normalize(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken
  /** Calls the source, with its retries. */
  caller(): SourceCaller
  /** Makes `normalized` the current token, and ends `job` when it is given. */
  publish(normalized: NormalizedToken, reason: UpdateReason, job?: AcquisitionJob): void
  /** Ends `job` without publishing: its token is the current one already. */
  detach(job: AcquisitionJob): void
  /** Adds one to a counter of the manager's stats. */
  count(counter: StoreCounter): void
  /** Tells the manager's subscribers. */
  emit(event: TokenEvent): void
  /** The error to end with once the manager is closed. */
  closedError(): TokenError
}

/**
 * A manager's link to its store: restores, persists, and with a coordinating store, acquires
 * through the store and adopts its peers' tokens. Rules:
 * - with a coordinating store every acquisition goes through the store: a peer's usable token is
 *   adopted without calling the source; else the one process holding the store's lease calls it,
 *   and the store writes the token before anyone uses it. When the store fails, the manager
 *   acquires on its own (`store-failed` event); a peer's token the store reports is adopted when
 *   it is newer and usable;
 * - with a plain store, the first acquisition restores a usable stored token, and every token
 *   the manager acquires is persisted before it is published;
 * - a stored token is never one this process already replaced, never short of a scope the
 *   manager asks for, never inside its mandatory window, and never the answer to a claims challenge.
 */
export class StoreLink {
  readonly #store: TokenStore
  readonly #host: StoreHost
  /** The access token this process is storing through a coordinating store: its own, not a peer's. */
  #committing: string | undefined
  /** Stops watching the store for peers' tokens (a coordinating store only). */
  readonly #unwatch: (() => void) | undefined

  constructor(store: TokenStore, host: StoreHost) {
    this.#store = store
    this.#host = host
    const key = host.options.storeKey
    // A bound method rather than a closure: every pooled manager holds it, token or not (1 KiB each).
    this.#unwatch = isCoordinatingStore(store) ? store.watch(key, this.#adoptFromPeer.bind(this)) : undefined
  }

  /** Whether the store coordinates acquisitions across processes: then only it writes tokens. */
  get coordinating(): boolean {
    return this.#unwatch !== undefined
  }

  /** Stops watching the store. */
  close(): void {
    this.#unwatch?.()
  }

  /**
   * Asks the coordinating store for `job`'s token; `undefined` when the store failed before this
   * process acquired one (the manager then acquires on its own). Source failures are thrown as they are.
   */
  async coordinate(job: AcquisitionJob): Promise<Token | undefined> {
    const store = this.#store as CoordinatingStore
    const host = this.#host
    const { storeKey } = host.options
    if (job.rejected !== undefined) {
      await store.invalidateIfSame(storeKey, job.rejected.toRecord()).catch((error: unknown) => this.#storeFailed(error))
    }
    const previous = job.rejected ?? host.last()
    let acquired: NormalizedToken | undefined
    let sourceFailure: { error: unknown } | undefined
    let seen: TokenRecord | undefined
    try {
      const answer = await store.coordinate(storeKey, {
        reason: job.reason,
        signal: host.closing,
        usable: (candidate) => {
          seen = candidate
          return job.reason !== 'claims' && this.#usable(candidate, previous)
        },
        acquire: async () => {
          if (host.last() === undefined && seen !== undefined) this.#rememberStored(seen)
          try {
            acquired = await host.caller().call(job)
          } catch (error) {
            sourceFailure = { error }
            throw error
          }
          this.#committing = acquired.token.accessToken
          return acquired.token.toRecord()
        },
      })
      if (acquired === undefined || acquired.token.accessToken !== answer.record.accessToken) {
        const adopted = this.#adopt(answer.record, job)
        this.#coordinated(answer.waited === true ? 'lease-waited' : 'adopted', job)
        return adopted
      }
      host.publish(acquired, job.reason, job)
      this.#coordinated('lease-won', job)
      return acquired.token
    } catch (error) {
      if (host.closing.aborted) throw host.closedError()
      if (sourceFailure !== undefined) throw sourceFailure.error
      this.#storeFailed(error)
      if (acquired === undefined) return undefined
      host.publish(acquired, job.reason, job)
      return acquired.token
    } finally {
      this.#committing = undefined
    }
  }

  /** Reads a plain store at the first acquisition; a usable record is published without calling the source. */
  async restore(job: AcquisitionJob): Promise<Token | undefined> {
    const host = this.#host
    let record: TokenRecord | undefined
    try {
      record = await this.#store.get(host.options.storeKey)
    } catch (error) {
      this.#storeFailed(error)
      return undefined
    }
    if (record === undefined || host.closing.aborted || !boundTo(record, host.jkt())) return undefined
    let normalized: NormalizedToken
    try {
      normalized = host.normalize(record, record.issuedAt, record.source)
    } catch (error) {
      this.#storeFailed(error)
      return undefined
    }
    if (host.options.clock.now() >= normalized.expiringAt) {
      host.remember(normalized.token)
      return undefined
    }
    host.publish(normalized, 'stored', job)
    return normalized.token
  }

  /**
   * Writes a token set by hand (`setToken`) as the newest; rejects with
   * {@link ErrorCode.STORE_FAILED} when the store fails.
   */
  async save(token: Token): Promise<void> {
    try {
      await this.#store.set(this.#host.options.storeKey, token.toRecord())
    } catch (error) {
      this.#host.count('storeFailures')
      throw new TokenError(ErrorCode.STORE_FAILED, `could not persist the token of "${this.#host.name}"`, {
        cause: error,
        credential: this.#host.name,
      })
    }
  }

  /** Writes a token the manager acquired to a plain store; a failure is reported, never thrown. */
  async persist(token: Token): Promise<void> {
    try {
      await this.#store.set(this.#host.options.storeKey, token.toRecord())
    } catch (error) {
      this.#storeFailed(error)
    }
  }

  /**
   * A stored record this process cannot use (expiring, or a scope short) becomes, when it has no
   * token of its own yet, the `previous` its source is given: its refresh token is the one to
   * redeem, as after a restart with a plain store. An unreadable record is ignored.
   */
  #rememberStored(record: TokenRecord): void {
    try {
      this.#host.remember(this.#host.normalize(record, record.issuedAt, record.source).token)
    } catch {
      // not a record this manager can read: the source starts from its own configuration
    }
  }

  /**
   * Whether a stored `record` may replace `previous`: bound to this credential's DPoP key if bound
   * at all, another token than `previous` and than any
   * this process held before its current one (a store that missed an invalidation must not bring
   * one back; the current one may have come from a peer meanwhile),
   * granting every scope the manager asks for, not yet inside its mandatory window.
   */
  #usable(record: TokenRecord, previous: Token | undefined): boolean {
    const host = this.#host
    if (!boundTo(record, host.jkt())) return false
    if (previous !== undefined && record.accessToken === previous.accessToken) return false
    const held = host.held()
    if (host.recent.some((token) => token !== held && token.accessToken === record.accessToken)) return false
    const scopes = host.scopes()
    if (scopes !== undefined && !scopes.every((scope) => record.scope.includes(scope))) return false
    if (record.expiresAt === undefined) return true
    const window = mandatoryWindowMs(record.expiresAt - record.issuedAt, host.options.expirySkewMs)
    return host.options.clock.now() < record.expiresAt - window
  }

  /** Publishes a peer's `record` (read from the store, never written back); the current token when it is that one already. */
  #adopt(record: TokenRecord, job?: AcquisitionJob): Token {
    const host = this.#host
    const held = host.held()
    if (held !== undefined && held.accessToken === record.accessToken) {
      if (job !== undefined) host.detach(job)
      return held
    }
    const normalized = host.normalize(record, record.issuedAt, record.source)
    host.count('adopted')
    host.publish(normalized, 'stored', job)
    return normalized.token
  }

  /** A token a peer stored, reported by the store's watch: adopted when it is newer and usable. */
  #adoptFromPeer(record: TokenRecord): void {
    const host = this.#host
    if (host.closing.aborted || record.accessToken === this.#committing || !this.#usable(record, host.last())) return
    const held = host.held()
    if (held !== undefined && record.issuedAt < held.issuedAt) return
    try {
      this.#adopt(record)
    } catch (error) {
      this.#storeFailed(error)
    }
  }

  /** Counts and tells how the store answered `job`, once the token it gave is in use. */
  #coordinated(outcome: Outcome, job: AcquisitionJob): void {
    job.outcome = outcome
    if (outcome === 'lease-won') this.#host.count('leasesWon')
    else if (outcome === 'lease-waited') this.#host.count('leasesWaited')
    this.#host.emit({ type: 'coordinated', credential: this.#host.name, outcome })
  }

  #storeFailed(error: unknown): void {
    this.#host.count('storeFailures')
    this.#host.emit({ type: 'store-failed', credential: this.#host.name, error })
  }
}
