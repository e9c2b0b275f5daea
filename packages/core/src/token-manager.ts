import { INSPECT } from './inspect-symbol.ts'
import { abortable } from './abortable.ts'
import { type AcquisitionHost, pause, producedBy, runAttempts } from './acquisition-loop.ts'
import type { TimerHandle } from './clock.ts'
import { ErrorCode, ReauthorizationRequiredError, TokenAcquisitionError, TokenError, isTokenError } from './errors.ts'
import { FailureGate } from './failure-gate.ts'
import { type NormalizedToken, normalizeGrant, parseScope } from './normalize-grant.ts'
import type { OriginPolicy } from './policy/origins.ts'
import { mandatoryWindowMs, refreshDefaults } from './refresh-window.ts'
import type { AcquireContext, AcquireReason, TokenGrant } from './source.ts'
import { type CoordinatingStore, isCoordinatingStore } from './stores/token-store.ts'
import type { ChallengeEvent, TokenEvent, TokenListener, TokenManagerStats, UpdateReason } from './token-events.ts'
import { type ResolvedOptions, type TokenManagerOptions, resolveOptions } from './token-manager-options.ts'
import type { Token, TokenRecord } from './token.ts'

/** Options of a single wait for a token. */
export interface WaitOptions {
  /** Ends this caller's wait (rejecting with the signal's reason); the shared acquisition goes on. */
  signal?: AbortSignal | undefined
}

/** Options of {@link TokenManager.reacquire}. */
export interface ReacquireOptions extends WaitOptions {
  /** Claims a challenge asked for (a JSON string); passed to the source. */
  claims?: string | undefined
}

/** One acquisition: why it runs, and what it was asked for. */
interface Job {
  readonly reason: AcquireReason
  readonly claims: string | undefined
  /** How long the job waits before its first source call (the backoff after quick rejections). */
  readonly delayMs: number
  /** The token a server rejected, for `rejected` and `claims` jobs. */
  readonly rejected: Token | undefined
  promise: Promise<Token>
}

/** The token in use, with what the fast path reads. */
interface Held {
  readonly token: Token
  /** The same resolved promise for every caller while the token is fresh. */
  readonly resolved: Promise<Token>
  /** Epoch ms from which the token counts as expired (its mandatory window). */
  readonly expiringAt: number
}

const MAX_TIMER_MS = 2 ** 31 - 1
const RECENT_TOKENS = 8
/** Origins remembered for `skipped` events; beyond this many, no more events are emitted. */
const MAX_SKIPPED_ORIGINS = 256
/** Acquisitions that ask for more than the last one (scopes, claims): they run during a cool-down and start none. */
const ASKS_FOR_MORE: ReadonlySet<AcquireReason> = new Set(['scope-upgrade', 'claims'])
const noop = (): void => {}

/**
 * One credential's token lifecycle: caches the token, shares one in-flight acquisition among all
 * callers, renews it before expiry, and replaces a rejected token atomically.
 *
 * Simple rules:
 * - **fresh**: served from memory, no I/O;
 * - **stale** (inside the advisory window): served at once, and one background refresh starts;
 *   when it fails the token is still served and the next try backs off with jitter;
 * - **expiring, expired or absent**: callers wait on the single in-flight acquisition; a caller's
 *   abort ends only its own wait;
 * - transient failures are retried with backoff up to `maxRetries`; terminal ones fail at once;
 *   every source call is abandoned after `sourceTimeout`;
 * - a failed acquisition starts a cool-down during which callers get the same error at once, and
 *   tokens rejected right after they were issued are reacquired ever more slowly ({@link failureDefaults});
 * - every timer is `unref`'d; while a caller waits for a token the process is kept alive (as a
 *   pending socket would keep it), and no promise the manager creates is ever left rejected unhandled.
 *
 * @example
 * ```ts
 * const manager = new TokenManager({ name: 'graph', source: env('GRAPH_TOKEN'), origins: ['https://graph.microsoft.com'] })
 * const token = await manager.getToken()
 * ```
 */
export class TokenManager implements AsyncDisposable {
  /** The credential's name. */
  readonly name: string
  /** Where this credential's token may be sent. */
  readonly origins: OriginPolicy

  readonly #options: ResolvedOptions
  readonly #closing = new AbortController()
  readonly #listeners = new Set<TokenListener>()
  readonly #recent: Token[] = []
  /** Cool-down and rejection backoff; made at the first failure or rejection. */
  #gate: FailureGate | undefined
  /*
   * State. Rules:
   * - `#held` is the token in use; undefined before the first token and after `invalidate`;
   * - `#last` is the last token published (or read back expired from the store): what a source is
   *   given as `previous`, and what a peer's record must differ from to be adopted;
   * - `#vacated` says the token was invalidated: the next acquisition replaces a rejected token
   *   (reason `rejected`), never restores it; before any token it is `initial`;
   * - `#job` is the one acquisition in flight; every caller that must wait joins it.
   */
  #held: Held | undefined
  #last: Token | undefined
  #vacated = false
  #job: Job | undefined
  #generation = 0
  #timer: TimerHandle | undefined
  #backgroundNotBefore = 0
  #scopes: readonly string[] | undefined
  #closed = false
  /** Callers waiting for an acquisition, and the clock's hold on the process while there are any. */
  #waiting = 0
  #release: (() => void) | undefined
  /** Origins already reported in a `skipped` event. */
  #skipped: Set<string> | undefined
  #skewCapReported = false
  /** The job whose source calls run now (one at a time). */
  #running: Job | undefined
  /** The access token this process is storing through a coordinating store: its own, not a peer's. */
  #committing: string | undefined
  /** Stops watching the store for peers' tokens (a coordinating store only). */
  readonly #unwatch: (() => void) | undefined
  /** What the attempt loop asks of this manager; made at the first acquisition. */
  #host: AcquisitionHost<NormalizedToken> | undefined
  #stats = {
    acquisitions: 0,
    attempts: 0,
    failures: 0,
    hits: 0,
    waits: 0,
    reacquires: 0,
    proactiveRefreshes: 0,
    invalidations: 0,
    storeFailures: 0,
    adopted: 0,
  }

  constructor(options: TokenManagerOptions) {
    this.#options = resolveOptions(options)
    this.name = this.#options.name
    this.origins = this.#options.origins
    this.#scopes = this.#options.scopes
    const { store, storeKey } = this.#options
    this.#unwatch = isCoordinatingStore(store) ? store.watch(storeKey, (record) => this.#adoptFromPeer(record)) : undefined
    if (this.#options.prefetch !== 'lazy') this.#startJob('initial', undefined, 0)
  }

  /**
   * Creates a manager and resolves once it holds its first token (`prefetch: 'sync'`). When the
   * first acquisition fails, the manager is closed and the error is thrown.
   */
  static async start(options: TokenManagerOptions): Promise<TokenManager> {
    const manager = new TokenManager({ ...options, prefetch: 'sync' })
    try {
      await manager.getToken()
      return manager
    } catch (error) {
      await manager.close()
      throw error
    }
  }

  /** The token to use: the cached one, or the result of the in-flight (or a new) acquisition. */
  getToken(options?: WaitOptions): Promise<Token> {
    if (this.current() !== undefined) return (this.#held as Held).resolved
    if (this.#closed) return Promise.reject(this.#closedError())
    const reason = this.#held !== undefined ? 'expired' : this.#vacated ? 'rejected' : 'initial'
    return this.#wait(options?.signal, () => this.#ensureJob(reason))
  }

  /** The access token string; see {@link TokenManager.getToken}. */
  async getAccessToken(options?: WaitOptions): Promise<string> {
    return (await this.getToken(options)).accessToken
  }

  /**
   * The cached token if it may be used now (fresh or stale), starting a background refresh when it
   * is stale; `undefined` when callers would have to wait. Synchronous, no I/O: the fast path for
   * adapters.
   */
  current(): Token | undefined {
    const held = this.#held
    if (held === undefined || this.#closed) return undefined
    const now = this.#options.clock.now()
    if (now >= held.expiringAt) return undefined
    const token = held.token
    this.#stats.hits++
    if (token.refreshAt !== undefined && now >= token.refreshAt) this.#refreshInBackground(now)
    return token
  }

  /** The cached token whatever its state, without I/O and without starting anything. */
  peek(): Token | undefined {
    return this.#held?.token
  }

  /** Forces a new acquisition (joining one already in flight); ends a failure's cool-down. */
  refresh(options?: WaitOptions): Promise<Token> {
    if (this.#closed) return Promise.reject(this.#closedError())
    this.#gate?.end()
    return this.#wait(options?.signal, () => this.#ensureJob('forced'))
  }

  /**
   * Drops the cached token; when `token` is given, only if it is still the cached one.
   * @returns whether a token was dropped.
   */
  invalidate(token?: Token): boolean {
    const current = this.#held?.token
    if (current === undefined || (token !== undefined && token.generation !== current.generation)) return false
    this.#held = undefined
    this.#vacated = true
    this.#clearTimer()
    this.#stats.invalidations++
    this.#emit({ type: 'invalidated', credential: this.name, token: current })
    return true
  }

  /**
   * Replaces a token a server rejected. Rules:
   * - if `rejected` was already replaced by a newer usable token, that token is returned at once;
   * - otherwise `rejected` is dropped (only if still cached) and callers share one acquisition:
   *   any number of concurrent calls with the same rejected token cause one source call;
   * - when tokens keep being rejected right after they were issued, that acquisition first waits a
   *   backoff that grows with each such rejection ({@link failureDefaults});
   * - with a coordinating store, the stored token is dropped fleet-wide only while it is still
   *   `rejected`, and the new one is acquired once for every process.
   */
  reacquire(rejected: Token, options?: ReacquireOptions): Promise<Token> {
    if (this.#closed) return Promise.reject(this.#closedError())
    this.#stats.reacquires++
    const current = this.current()
    if (current !== undefined && current.generation > rejected.generation) return (this.#held as Held).resolved
    const delayMs = this.invalidate(rejected) ? this.#failureGate().rejected(rejected, this.#options.clock.now()) : 0
    const claims = options?.claims
    return this.#wait(options?.signal, () =>
      this.#ensureJob(claims === undefined ? 'rejected' : 'claims', claims, delayMs, rejected),
    )
  }

  /**
   * Uses `grant` as the token from now on (a manual override), after persisting it through the
   * store; ends a failure's cool-down. Rejects with {@link ErrorCode.STORE_FAILED} when persisting
   * fails, and then keeps the previous token.
   */
  async setToken(grant: TokenGrant): Promise<Token> {
    if (this.#closed) throw this.#closedError()
    const normalized = this.#normalize(grant, this.#options.clock.now(), 'manual')
    try {
      await this.#options.store?.set(this.#options.storeKey, normalized.token.toRecord())
    } catch (error) {
      this.#stats.storeFailures++
      throw new TokenError(ErrorCode.STORE_FAILED, `could not persist the token of "${this.name}"`, {
        cause: error,
        credential: this.name,
      })
    }
    this.#publish(normalized, 'manual')
    return normalized.token
  }

  /**
   * Adds `scopes` to those requested and acquires a token that grants them all (the source gets
   * the merged list, so a refresh-token source uses its refresh token). Rejects with
   * {@link ReauthorizationRequiredError}, carrying the merged scopes, when the source cannot grant
   * them; the previous scopes then stay in effect.
   */
  async upgradeScopes(scopes: readonly string[], options?: WaitOptions): Promise<Token> {
    if (this.#closed) throw this.#closedError()
    const before = this.#scopes
    const merged = parseScope([...(before ?? this.#last?.scope ?? []), ...scopes])
    await this.#job?.promise.catch(noop)
    this.#scopes = merged
    try {
      return await this.#wait(options?.signal, () => this.#ensureJob('scope-upgrade'))
    } catch (error) {
      this.#scopes = before
      if (error instanceof ReauthorizationRequiredError && error.scopes.length > 0) throw error
      if (isTokenError(error) && error.transient !== false) throw error
      throw new ReauthorizationRequiredError(`"${this.name}" cannot be granted the scopes it asked for`, {
        cause: error,
        credential: this.name,
        scopes: merged,
      })
    }
  }

  /** Calls `listener` on every {@link TokenEvent}; returns the function that unsubscribes it. */
  subscribe(listener: TokenListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** A snapshot of the manager's counters. */
  stats(): TokenManagerStats {
    return { ...this.#stats }
  }

  /**
   * Tells subscribers, once per origin, that a request to `origin` went without the token because
   * the credential may not go there (a `skipped` event). Adapters call it through the request policy.
   */
  skipped(origin: string): void {
    const seen = (this.#skipped ??= new Set())
    if (seen.has(origin) || seen.size >= MAX_SKIPPED_ORIGINS) return
    seen.add(origin)
    this.#emit({ type: 'skipped', credential: this.name, origin })
  }

  /**
   * Tells subscribers that a response challenged this credential's token, and what the request
   * does about it (a `challenge` event). Adapters call it through their per-request `AuthRequest`.
   */
  challenged(challenge: Omit<ChallengeEvent, 'type' | 'credential'>): void {
    const { status, scheme, error, action } = challenge
    this.#emit({ type: 'challenge', credential: this.name, status, scheme, error, action })
  }

  /**
   * Returns the token this manager issued with the given `Authorization` header value, among its
   * last few tokens; `undefined` when the header is not one of ours (a caller set its own).
   */
  recognize(authorization: string): Token | undefined {
    for (const token of this.#recent) if (token.authorization === authorization) return token
    return undefined
  }

  /** Whether {@link TokenManager.close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Stops timers and in-flight work; waiting callers reject with {@link ErrorCode.CLOSED}. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#clearTimer()
    this.#unwatch?.()
    this.#closing.abort(this.#closedError())
    await this.#job?.promise.catch(noop)
    this.#emit({ type: 'closed', credential: this.name })
    this.#listeners.clear()
  }

  /** Same as {@link TokenManager.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: TokenManager): string {
        return `TokenManager ${JSON.stringify(this.toJSON())}`
      },
    })
  }

  /** A redacted description. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      source: this.#options.source.kind,
      state: this.#closed ? 'closed' : this.#held === undefined ? 'empty' : `generation ${this.#held.token.generation}`,
      token: this.#held?.token.toJSON(),
    }
  }

  /** Joins the acquisition in flight, or starts one unless a cool-down answers with the last failure. */
  #ensureJob(reason: AcquireReason, claims?: string, delayMs = 0, rejected?: Token): Promise<Token> {
    const job = this.#job
    if (job !== undefined) return job.promise
    const blocked = ASKS_FOR_MORE.has(reason) ? undefined : this.#gate?.blocked(this.#options.clock.now())
    if (blocked !== undefined) return Promise.reject(blocked)
    return this.#startJob(reason, claims, delayMs, rejected)
  }

  #startJob(reason: AcquireReason, claims: string | undefined, delayMs: number, rejected?: Token): Promise<Token> {
    const job: Job = { reason, claims, delayMs, rejected, promise: undefined as never }
    this.#job = job
    job.promise = this.#run(job)
    job.promise.catch(noop)
    return job.promise
  }

  /**
   * Waits for `start()` unless `signal` is already aborted, in which case nothing starts. While any
   * caller waits, the clock holds the process open: an acquisition someone awaits (its retry sleeps
   * included) keeps the process alive; one nobody awaits (a prefetch, a background refresh) does not.
   */
  #wait(signal: AbortSignal | undefined, start: () => Promise<Token>): Promise<Token> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    this.#stats.waits++
    if (this.#waiting++ === 0) this.#release = this.#options.clock.hold?.()
    const waited = abortable(start(), signal)
    const done = (): void => this.#waitEnded()
    waited.then(done, done)
    return waited
  }

  /** One wait ended: the last one lets the process go. */
  #waitEnded(): void {
    if (--this.#waiting > 0) return
    this.#release?.()
    this.#release = undefined
  }

  #failureGate(): FailureGate {
    return (this.#gate ??= new FailureGate(this.#options.coolDownMs))
  }

  /**
   * One acquisition. Rules:
   * - with a coordinating store it goes through the store: a peer's usable token is adopted
   *   without calling the source; else the one process holding the store's lease calls it, and the
   *   store writes the token before anyone uses it. When the store fails, the manager acquires on
   *   its own (`store-failed` event);
   * - with a plain store, the first acquisition restores a usable stored token, and every token
   *   acquired is persisted before it is published;
   * - a failure, once retries are spent, starts a cool-down ({@link failureDefaults}).
   */
  async #run(job: Job): Promise<Token> {
    try {
      if (job.delayMs > 0) await pause(this.#acquisitionHost(), job.delayMs)
      const { store } = this.#options
      if (isCoordinatingStore(store)) {
        const coordinated = await this.#coordinate(store, job)
        if (coordinated !== undefined) return coordinated
      } else if (job.reason === 'initial') {
        const restored = await this.#restore(job)
        if (restored !== undefined) return restored
      }
      const normalized = await this.#acquire(job)
      if (!isCoordinatingStore(store)) await this.#persist(normalized.token)
      this.#publish(normalized, job.reason, job)
      return normalized.token
    } finally {
      if (this.#job === job) this.#job = undefined
    }
  }

  /** Calls the source, with retries, until it gives a usable token; a final failure starts a cool-down. */
  async #acquire(job: Job): Promise<NormalizedToken> {
    this.#running = job
    try {
      return await runAttempts(this.#acquisitionHost())
    } catch (error) {
      if (isTokenError(error) && !this.#closed && !ASKS_FOR_MORE.has(job.reason)) {
        this.#failureGate().failed(error, this.#options.clock.now())
      }
      throw error
    } finally {
      this.#running = undefined
    }
  }

  /**
   * Asks the coordinating store for the token; `undefined` when the store failed before this
   * process acquired one (the caller then acquires on its own). Source failures are thrown as they are.
   */
  async #coordinate(store: CoordinatingStore, job: Job): Promise<Token | undefined> {
    const { storeKey } = this.#options
    if (job.rejected !== undefined) {
      await store.invalidateIfSame(storeKey, job.rejected.toRecord()).catch((error: unknown) => this.#storeFailed(error))
    }
    const previous = job.rejected ?? this.#last
    let acquired: NormalizedToken | undefined
    let sourceFailure: { error: unknown } | undefined
    let seen: TokenRecord | undefined
    try {
      const { record } = await store.coordinate(storeKey, {
        reason: job.reason,
        signal: this.#closing.signal,
        usable: (candidate) => {
          seen = candidate
          return job.reason !== 'claims' && this.#usable(candidate, previous)
        },
        acquire: async () => {
          if (this.#last === undefined && seen !== undefined) this.#rememberStored(seen)
          try {
            acquired = await this.#acquire(job)
          } catch (error) {
            sourceFailure = { error }
            throw error
          }
          this.#committing = acquired.token.accessToken
          return acquired.token.toRecord()
        },
      })
      if (acquired === undefined || acquired.token.accessToken !== record.accessToken) return this.#adopt(record, job)
      this.#publish(acquired, job.reason, job)
      return acquired.token
    } catch (error) {
      if (this.#closed) throw this.#closedError()
      if (sourceFailure !== undefined) throw sourceFailure.error
      this.#storeFailed(error)
      if (acquired === undefined) return undefined
      this.#publish(acquired, job.reason, job)
      return acquired.token
    } finally {
      this.#committing = undefined
    }
  }

  /**
   * A stored record this process cannot use (expiring, or a scope short) becomes, when it has no
   * token of its own yet, the `previous` its source is given: its refresh token is the one to
   * redeem, as after a restart with a plain store. An unreadable record is ignored.
   */
  #rememberStored(record: TokenRecord): void {
    try {
      this.#last = this.#normalize(record, record.issuedAt, record.source).token
    } catch {
      // not a record this manager can read: the source starts from its own configuration
    }
  }

  /**
   * Whether a stored `record` may replace `previous`: another token than `previous` and than any
   * this process held before its current one (a store that missed an invalidation must not bring
   * one back; the current one may have come from a peer meanwhile),
   * granting every scope this manager asks for, not yet inside its mandatory window.
   */
  #usable(record: TokenRecord, previous: Token | undefined): boolean {
    if (previous !== undefined && record.accessToken === previous.accessToken) return false
    const held = this.#held?.token
    if (this.#recent.some((token) => token !== held && token.accessToken === record.accessToken)) return false
    if (this.#scopes !== undefined && !this.#scopes.every((scope) => record.scope.includes(scope))) return false
    if (record.expiresAt === undefined) return true
    const window = mandatoryWindowMs(record.expiresAt - record.issuedAt, this.#options.expirySkewMs)
    return this.#options.clock.now() < record.expiresAt - window
  }

  /** Publishes a peer's `record` (read from the store, never written back); the current token when it is that one already. */
  #adopt(record: TokenRecord, job?: Job): Token {
    const held = this.#held
    if (held !== undefined && held.token.accessToken === record.accessToken) {
      if (job !== undefined && this.#job === job) this.#job = undefined
      return held.token
    }
    const normalized = this.#normalize(record, record.issuedAt, record.source)
    this.#stats.adopted++
    this.#publish(normalized, 'stored', job)
    return normalized.token
  }

  /** A token a peer stored, reported by the store's watch: adopted when it is newer and usable. */
  #adoptFromPeer(record: TokenRecord): void {
    if (this.#closed || record.accessToken === this.#committing || !this.#usable(record, this.#last)) return
    const held = this.#held
    if (held !== undefined && record.issuedAt < held.token.issuedAt) return
    try {
      this.#adopt(record)
    } catch (error) {
      this.#storeFailed(error)
    }
  }

  /** What the acquisition loop asks of this manager (made once; it reads the job in flight). */
  #acquisitionHost(): AcquisitionHost<NormalizedToken> {
    if (this.#host !== undefined) return this.#host
    const { source } = this.#options
    return (this.#host = {
      name: this.name,
      options: this.#options,
      source,
      closing: this.#closing.signal,
      attempt: async (signal, issuedAt) => {
        const job = this.#running as Job
        this.#stats.attempts++
        const grant = await source.acquire(this.#context(job, signal))
        const normalized = this.#normalize(grant, issuedAt, producedBy(grant, source.kind))
        if (job.reason === 'scope-upgrade') this.#checkScopes(normalized.token)
        return normalized
      },
      failed: (error, attempt, retryInMs) => {
        this.#stats.failures++
        const reason = (this.#running as Job).reason
        this.#emit({ type: 'refresh-failed', credential: this.name, error, attempt, reason, retryInMs })
      },
      closedError: () => this.#closedError(),
    })
  }

  #context(job: Job, signal: AbortSignal): AcquireContext {
    const store = this.#options.store
    return {
      signal,
      reason: job.reason,
      credential: this.name,
      previous: this.#held?.token ?? this.#last,
      scopes: this.#scopes,
      claims: job.claims,
      mayUnref: true,
      stored: () => (store === undefined ? Promise.resolve(undefined) : store.get(this.#options.storeKey)),
    }
  }

  #normalize(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken {
    const normalized = normalizeGrant(grant, {
      issuedAt,
      generation: ++this.#generation,
      source,
      credential: this.name,
      requestedScopes: this.#scopes,
      defaultExpiresIn: this.#options.defaultExpiresIn,
      refreshBeforeMs: this.#options.refreshBeforeMs,
      expirySkewMs: this.#options.expirySkewMs,
    })
    this.#reportSkewCap(normalized.token)
    return normalized
  }

  /** Says once, in an `option-capped` event, that `expirySkew` was cut to a quarter of a token's lifetime. */
  #reportSkewCap(token: Token): void {
    const skewMs = this.#options.expirySkewMs
    if (this.#skewCapReported || skewMs === undefined || token.expiresAt === undefined) return
    const lifetimeMs = token.expiresAt - token.issuedAt
    const appliedMs = lifetimeMs * refreshDefaults.maxMandatoryFraction
    if (skewMs <= appliedMs) return
    this.#skewCapReported = true
    this.#emit({
      type: 'option-capped',
      credential: this.name,
      option: 'expirySkew',
      configured: skewMs / 1000,
      applied: appliedMs / 1000,
      lifetime: lifetimeMs / 1000,
    })
  }

  #checkScopes(token: Token): void {
    const missing = (this.#scopes ?? []).filter((scope) => !token.scope.includes(scope))
    if (missing.length === 0) return
    throw new ReauthorizationRequiredError(`"${this.name}" was not granted every scope it asked for`, {
      credential: this.name,
      scopes: this.#scopes,
    })
  }

  /** Reads the store at the first acquisition; a usable record is published without calling the source. */
  async #restore(job: Job): Promise<Token | undefined> {
    const { store, storeKey, clock } = this.#options
    if (store === undefined) return undefined
    let record: TokenRecord | undefined
    try {
      record = await store.get(storeKey)
    } catch (error) {
      this.#storeFailed(error)
      return undefined
    }
    if (record === undefined || this.#closed) return undefined
    let normalized: NormalizedToken
    try {
      normalized = this.#normalize(record, record.issuedAt, record.source)
    } catch (error) {
      this.#storeFailed(error)
      return undefined
    }
    if (clock.now() >= normalized.expiringAt) {
      this.#last = normalized.token
      return undefined
    }
    this.#publish(normalized, 'stored', job)
    return normalized.token
  }

  async #persist(token: Token): Promise<void> {
    const store = this.#options.store
    if (store === undefined) return
    try {
      await store.set(this.#options.storeKey, token.toRecord())
    } catch (error) {
      this.#storeFailed(error)
    }
  }

  #storeFailed(error: unknown): void {
    this.#stats.storeFailures++
    this.#emit({ type: 'store-failed', credential: this.name, error })
  }

  /**
   * Makes `token` the current one. The job that produced it is detached first, so that a listener
   * (or any code run before the job's promise settles) that invalidates the token and asks again
   * starts a new acquisition instead of joining the finished one.
   */
  #publish({ token, expiringAt }: NormalizedToken, reason: UpdateReason, job?: Job): void {
    if (job !== undefined && this.#job === job) this.#job = undefined
    this.#held = { token, resolved: Promise.resolve(token), expiringAt }
    this.#last = token
    this.#vacated = false
    this.#backgroundNotBefore = 0
    this.#gate?.succeeded()
    this.#recent.unshift(token)
    if (this.#recent.length > RECENT_TOKENS) this.#recent.pop()
    this.#stats.acquisitions++
    if (token.refreshAt !== undefined) this.#schedule(token.refreshAt)
    this.#emit({ type: 'updated', credential: this.name, token, reason })
  }

  /** Starts one background refresh unless one runs already or the last one failed too recently. */
  #refreshInBackground(now: number): void {
    if (this.#job !== undefined || now < this.#backgroundNotBefore || this.#closed) return
    if (this.#gate?.blocked(now) !== undefined) return
    this.#stats.proactiveRefreshes++
    this.#startJob('proactive', undefined, 0).catch((error: unknown) => {
      if (this.#closed) return
      const [attempts, cause] = error instanceof TokenAcquisitionError ? [error.attempts, error.cause] : [1, error]
      this.#backgroundNotBefore = this.#options.clock.now() + this.#options.retryDelay(attempts + 1, cause)
      this.#schedule(this.#backgroundNotBefore)
    })
  }

  /** Arms the one timer that renews the token at `at` (never with `prefetch: 'lazy'`). */
  #schedule(at: number): void {
    if (this.#options.prefetch === 'lazy' || this.#closed) return
    this.#clearTimer()
    const { clock } = this.#options
    const delay = Math.min(Math.max(0, at - clock.now()), MAX_TIMER_MS)
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined
      const now = clock.now()
      if (now < at) this.#schedule(at)
      else if (this.#held !== undefined) this.#refreshInBackground(now)
    }, delay)
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return
    this.#options.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #closedError(): TokenError {
    return new TokenError(ErrorCode.CLOSED, `the token manager "${this.name}" is closed`, {
      credential: this.name,
      transient: false,
    })
  }

  #emit(event: TokenEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch (error) {
        process.emitWarning(`a listener of "${this.name}" threw on a ${event.type} event`, {
          code: 'TOKENWARDEN_LISTENER_ERROR',
          detail: error instanceof Error ? error.name : typeof error,
        })
      }
    }
  }
}
