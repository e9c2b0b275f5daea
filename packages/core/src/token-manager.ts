import { INSPECT } from './inspect-symbol.ts'
import { type AcquisitionJob as Job, type JobSteps, runJob } from './acquisition-job.ts'
import { ErrorCode, TokenError } from './errors.ts'
import { publishServed, servedChannel } from './diagnostics/publish-served.ts'
import { publishEvent } from './diagnostics/publish-event.ts'
import { acquisitionChannel, traceAcquisition } from './diagnostics/trace-acquisition.ts'
import { FailureGate } from './failure-gate.ts'
import { type ManagerDPoP, ManagerKey } from './manager-dpop.ts'
import { type NormalizedToken, parseScope } from './normalize-grant.ts'
import type { ChallengeOptions } from './policy/challenge-decision.ts'
import type { OriginPolicy } from './policy/origins.ts'
import { Renewal, type RenewalHost } from './renewal.ts'
import { type FlightHost, SingleFlight } from './single-flight.ts'
import type { TokenGrant } from './source.ts'
import { type CallerHost, SourceCaller, upgradeFailure } from './source-caller.ts'
import { type StoreHost, StoreLink } from './store-link.ts'
import {
  type ChallengeEvent,
  type Counters,
  type TokenEvent,
  type TokenListener,
  type TokenManagerStats,
  type UpdateReason,
  deliver,
  zeroStats,
} from './token-events.ts'
import {
  type ReacquireOptions,
  type ResolvedOptions,
  type TokenManagerOptions,
  type WaitOptions,
  resolveOptions,
} from './token-manager-options.ts'
import { type MintHost, TokenMint } from './token-mint.ts'
import type { Token } from './token.ts'

/** The token in use, with what the fast path reads. */
interface Held {
  readonly token: Token
  /** The same resolved promise for every caller while the token is fresh. */
  readonly resolved: Promise<Token>
  /** Epoch ms from which the token counts as expired (its mandatory window). */
  readonly expiringAt: number
}

const RECENT_TOKENS = 8
/** The recent tokens of a manager that has had none: one frozen array for all of them. */
const NO_TOKENS: readonly Token[] = Object.freeze([])
/** Origins remembered for `skipped` events; beyond this many, no more events are emitted. */
const MAX_SKIPPED_ORIGINS = 256
const noop = (): void => {}

/** What the manager's helpers ask of it: one object for all of them. */
type Inside = CallerHost & StoreHost & MintHost & RenewalHost & FlightHost & JobSteps

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

  /** How adapters answer 401 and 403 challenges for this credential (its `challenges` option). */
  readonly challenges: ChallengeOptions
  readonly #options: ResolvedOptions
  /*
   * Made at the first need, so that an idle manager (a pool may hold 100,000) costs little: the
   * signal that aborts at close (at the first acquisition or store call), the listeners (at the
   * first subscriber), the counters other than `#hits` (at the first count).
   */
  #closing: AbortController | undefined
  #listeners: Set<TokenListener> | undefined
  #counts: Counters | undefined
  /** The `hits` counter, apart from the others: the fast path counts it without making them. */
  #hits = 0
  /** The last tokens published, newest first ({@link RECENT_TOKENS} at most). */
  #recent: readonly Token[] = NO_TOKENS
  /** Cool-down and rejection backoff; made at the first failure or rejection. */
  #gate: FailureGate | undefined
  /*
   * State. Rules:
   * - `#held` is the token in use; undefined before the first token and after `invalidate`;
   * - `#last` is the last token published, or a stored one this process could not use (read back
   *   expired, or short of a scope; the store link remembers it): what a source is given as
   *   `previous` when no token is held, and what a peer's record must differ from to be adopted;
   * - `#vacated` says the token was invalidated: the next acquisition replaces a rejected token
   *   (reason `rejected`), never restores it; before any token it is `initial`;
   * - the single flight's `job` is the one acquisition in flight; a caller that must wait shares
   *   it, or waits for it to end when it asks for more ({@link SingleFlight});
   * - `#scopes` are the scopes asked for: the options', merged by `upgradeScopes`.
   */
  #held: Held | undefined
  #last: Token | undefined
  #vacated = false
  #scopes: readonly string[] | undefined
  #closed = false
  /** Origins already reported in a `skipped` event. */
  #skipped: Set<string> | undefined
  /** The acquisition in flight and the callers waiting; made at the first acquisition. */
  #singleFlight: SingleFlight | undefined
  /** Restores, persists and coordinates through the store; made only when there is a store. */
  readonly #link: StoreLink | undefined
  /** Calls the source; made at the first acquisition. */
  #sourceCaller: SourceCaller | undefined
  /** Makes this manager's tokens; made at the first token. */
  #mint: TokenMint | undefined
  /** The source's DPoP key, for a source made with `dpop`. */
  readonly #key: ManagerKey | undefined
  /** Renews the token before it expires; made at the first token. */
  #renewal: Renewal | undefined
  /** What the helpers above ask of this manager; made at the first need. */
  #inner: Inside | undefined

  constructor(options: TokenManagerOptions) {
    this.#options = resolveOptions(options)
    this.name = this.#options.name
    this.origins = this.#options.origins
    this.challenges = this.#options.challenges
    this.#scopes = this.#options.scopes
    const { store, source, clock } = this.#options
    this.#key = source.dpop === undefined ? undefined : new ManagerKey(source.dpop, clock)
    this.#link = store === undefined ? undefined : new StoreLink(store, this.#inside())
    if (this.#options.prefetch !== 'lazy') this.#flight().start('initial', undefined, 0)
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
    return this.#flight().request(options?.signal, reason)
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
    this.#hits++
    const stale = token.refreshAt !== undefined && now >= token.refreshAt
    if (servedChannel.hasSubscribers) publishServed(this.#options, token, now, stale)
    if (stale) this.#renewal?.refreshInBackground(now)
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
    return this.#flight().request(options?.signal, 'forced')
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
    this.#renewal?.stop()
    this.#count('invalidations')
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
    this.#count('reacquires')
    const current = this.current()
    if (current !== undefined && current.generation > rejected.generation) return (this.#held as Held).resolved
    const delayMs = this.invalidate(rejected) ? this.#failureGate().rejected(rejected, this.#options.clock.now()) : 0
    const claims = options?.claims
    const reason = claims === undefined ? 'rejected' : 'claims'
    return this.#flight().request(options?.signal, reason, claims, delayMs, rejected)
  }

  /**
   * Uses `grant` as the token from now on (a manual override), after persisting it through the
   * store; ends a failure's cool-down. Rejects with {@link ErrorCode.STORE_FAILED} when persisting
   * fails, and then keeps the previous token.
   */
  async setToken(grant: TokenGrant): Promise<Token> {
    if (this.#closed) throw this.#closedError()
    if (this.#key?.made === false) await this.#key.make()
    const normalized = this.#normalize(grant, this.#options.clock.now(), 'manual')
    await this.#link?.save(normalized.token)
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
    await this.#singleFlight?.job?.promise.catch(noop)
    this.#scopes = merged
    try {
      return await this.#flight().request(options?.signal, 'scope-upgrade')
    } catch (error) {
      this.#scopes = before
      throw upgradeFailure(error, this.name, merged)
    }
  }

  /** Calls `listener` on every {@link TokenEvent}; returns the function that unsubscribes it. */
  subscribe(listener: TokenListener): () => void {
    const listeners = (this.#listeners ??= new Set())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** A snapshot of the manager's counters. */
  stats(): TokenManagerStats {
    return { ...(this.#counts ?? zeroStats()), hits: this.#hits }
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

  /**
   * The credential's DPoP key and the resource servers' last nonces, once its source (made with
   * `dpop`) made the key; `undefined` otherwise. Adapters sign each request's proof with it.
   */
  get dpop(): ManagerDPoP | undefined {
    return this.#key?.state
  }

  /** The name of the {@link CredentialPool} that made this manager; `undefined` for one made on its own. */
  get pool(): string | undefined {
    return this.#options.pool
  }

  /** Whether {@link TokenManager.close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Resolves once no acquisition is in flight and no caller waits for one (at once when none
   * does): every waiting caller then has its token or its error. Never rejects. A credential pool
   * closes a manager it drops only after this, so that dropping it fails no caller.
   */
  settled(): Promise<void> {
    return this.#singleFlight?.settled() ?? Promise.resolve()
  }

  /** Stops timers and in-flight work; waiting callers reject with {@link ErrorCode.CLOSED}. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#renewal?.stop()
    this.#link?.close()
    this.#closing?.abort(this.#closedError())
    await this.#singleFlight?.job?.promise.catch(noop)
    this.#emit({ type: 'closed', credential: this.name })
    this.#listeners = undefined
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

  #failureGate(): FailureGate {
    return (this.#gate ??= new FailureGate(this.#options.coolDownMs))
  }

  /** One acquisition ({@link runJob}); it ends being the one in flight when it settles. */
  async #run(job: Job): Promise<Token> {
    try {
      if (!acquisitionChannel.hasSubscribers) return await runJob(job, this.#inside())
      return await traceAcquisition(job, this.#options, () => runJob(job, this.#inside()))
    } finally {
      this.#singleFlight?.detach(job)
    }
  }

  #flight(): SingleFlight {
    return (this.#singleFlight ??= new SingleFlight(this.#inside()))
  }

  #caller(): SourceCaller {
    return (this.#sourceCaller ??= new SourceCaller(this.#inside()))
  }

  #normalize(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken {
    return (this.#mint ??= new TokenMint(this.#inside())).mint(grant, issuedAt, source)
  }

  /** What the helpers ask of this manager (made once). */
  #inside(): Inside {
    return (this.#inner ??= new TokenManager.#Inside(this))
  }

  /**
   * The one object a manager's helpers are given ({@link Inside}): it reads the manager's state
   * and acts on it. Its methods live on this class's prototype, so each manager pays for one
   * small object however many helpers it has.
   */
  static readonly #Inside = class implements Inside {
    readonly #m: TokenManager
    readonly name: string
    readonly options: ResolvedOptions
    readonly closing: AbortSignal
    constructor(manager: TokenManager) {
      this.#m = manager
      this.name = manager.name
      this.options = manager.#options
      this.closing = manager.#closingSignal()
    }
    get recent(): readonly Token[] {
      return this.#m.#recent
    }
    get link(): StoreLink | undefined {
      return this.#m.#link
    }
    get key(): ManagerKey | undefined {
      return this.#m.#key
    }
    held(): Token | undefined {
      return this.#m.#held?.token
    }
    last(): Token | undefined {
      return this.#m.#last
    }
    remember(token: Token): void {
      this.#m.#last = token
    }
    scopes(): readonly string[] | undefined {
      return this.#m.#scopes
    }
    jkt(): string | undefined {
      return this.#m.#key?.thumbprint
    }
    normalize(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken {
      return this.#m.#normalize(grant, issuedAt, source)
    }
    caller(): SourceCaller {
      return this.#m.#caller()
    }
    publish(normalized: NormalizedToken, reason: UpdateReason, job?: Job): void {
      this.#m.#publish(normalized, reason, job)
    }
    detach(job: Job): void {
      this.#m.#singleFlight?.detach(job)
    }
    count(counter: Exclude<keyof Counters, 'hits'>): void {
      this.#m.#count(counter)
    }
    emit(event: TokenEvent): void {
      this.#m.#emit(event)
    }
    failed(error: TokenError): void {
      this.#m.#failureGate().failed(error, this.#m.#options.clock.now())
    }
    refreshIfIdle(now: number): Promise<Token> | undefined {
      const m = this.#m
      if (m.#singleFlight?.job !== undefined || m.#gate?.blocked(now) !== undefined) return undefined
      m.#count('proactiveRefreshes')
      return m.#flight().start('proactive', undefined, 0)
    }
    blocked(now: number): TokenError | undefined {
      return this.#m.#gate?.blocked(now)
    }
    run(job: Job): Promise<Token> {
      return this.#m.#run(job)
    }
    closedError(): TokenError {
      return this.#m.#closedError()
    }
  }

  /**
   * Makes `token` the current one. The job that produced it is detached first, so that a listener
   * (or any code run before the job's promise settles) that invalidates the token and asks again
   * starts a new acquisition instead of joining the finished one.
   */
  #publish({ token, expiringAt }: NormalizedToken, reason: UpdateReason, job?: Job): void {
    if (job !== undefined) this.#singleFlight?.detach(job)
    this.#held = { token, resolved: Promise.resolve(token), expiringAt }
    this.#last = token
    this.#vacated = false
    this.#gate?.succeeded()
    this.#recent = [token, ...this.#recent.slice(0, RECENT_TOKENS - 1)]
    this.#count('acquisitions')
    this.#renewal ??= new Renewal(this.#inside())
    this.#renewal.renewAt(token.refreshAt)
    this.#emit({ type: 'updated', credential: this.name, token, reason })
  }

  #closedError(): TokenError {
    return new TokenError(ErrorCode.CLOSED, `the token manager "${this.name}" is closed`, {
      credential: this.name,
      transient: false,
    })
  }

  #emit(event: TokenEvent): void {
    publishEvent(event, this.#options.pool)
    if (this.#listeners !== undefined) deliver(this.#listeners, event, this.name)
  }

  #count(counter: Exclude<keyof Counters, 'hits'>): void {
    const counts = (this.#counts ??= zeroStats())
    counts[counter]++
  }

  /** The signal that aborts when the manager closes (already aborted once it is closed). */
  #closingSignal(): AbortSignal {
    if (this.#closing === undefined) {
      this.#closing = new AbortController()
      if (this.#closed) this.#closing.abort(this.#closedError())
    }
    return this.#closing.signal
  }
}
