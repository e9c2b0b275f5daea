import { type Clock, systemClock } from './clock.ts'
import { invalidOption } from './errors.ts'
import { type ChallengeOptions, checkChallenges } from './policy/challenge-decision.ts'
import { OriginPolicy } from './policy/origins.ts'
import { failureDefaults } from './failure-gate.ts'
import { defaultRetryDelay } from './retry-policy.ts'
import type { TokenSource } from './source.ts'
import type { TokenStore } from './stores/token-store.ts'

/**
 * When the first token is fetched:
 * - `async` (default): at once, in the background; renewals are scheduled on timers;
 * - `lazy`: at the first `getToken`; renewals happen only when the token is used;
 * - `sync`: like `async`, and `await TokenManager.start(options)` resolves after the first token.
 */
export type Prefetch = 'async' | 'lazy' | 'sync'

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

/** Options of a {@link TokenManager}. Durations are seconds; fractions are allowed. */
export interface TokenManagerOptions {
  /** Where tokens come from. */
  source: TokenSource
  /** The credential's name, used in errors, events and as the store key. @default 'default' */
  name?: string | undefined
  /**
   * Origins the token may be sent to (`https://api.example.com`, `https://*.example.com`). Adapters
   * send the token nowhere else; a credential without origins gets no token attached.
   * @default []
   */
  origins?: readonly string[] | undefined
  /** Allows `http:` origins that are not loopback. Bearer tokens are then readable on the wire. @default false */
  dangerouslyAllowInsecureHttp?: boolean | undefined
  /**
   * Seconds before expiry at which one background refresh starts while the token is still served.
   * Capped at half the token's lifetime. @default a fifth of the lifetime, at most 300, plus up to 10% jitter
   */
  refreshBefore?: number | undefined
  /** Seconds before expiry from which the token counts as expired and callers wait. @default a tenth of the lifetime, at most 30 */
  expirySkew?: number | undefined
  /** When the first token is fetched. @default 'async' */
  prefetch?: Prefetch | undefined
  /** Retries of a transient failure before an acquisition fails. @default 10 */
  maxRetries?: number | undefined
  /**
   * Milliseconds to wait before retry number `attempt` (from 1) after `error`.
   * @default exponential backoff with full jitter from 500 ms, capped at 30 s, honouring `Retry-After`
   */
  retryDelay?: ((attempt: number, error: unknown) => number) | undefined
  /**
   * Seconds a single source call may take; then it is abandoned (its `ctx.signal` aborts) and counts
   * as a transient failure (`TOKEN_SOURCE_TIMEOUT`). @default 30
   */
  sourceTimeout?: number | undefined
  /**
   * Seconds after a failed acquisition during which callers get the same error without a new source
   * call; doubled for each failure in a row (at most 60 s). It also spaces out reacquisitions of
   * tokens that are rejected right after they were issued. `0` turns both off. @default 1
   */
  coolDown?: number | undefined
  /** Persists tokens across restarts or processes. @default none: the token lives in the manager only */
  store?: TokenStore | undefined
  /** The key under which the store keeps this credential's token. @default the name */
  storeKey?: string | undefined
  /** Time and timers. @default the system clock, timers `unref`'d */
  clock?: Clock | undefined
  /** Lifetime in seconds of grants that state none. @default none: such tokens never expire by time */
  defaultExpiresIn?: number | undefined
  /** Scopes to request; sources that take scopes use these over their own. @default the source's own */
  scopes?: readonly string[] | undefined
  /**
   * How every adapter answers 401 and 403 challenges for this credential: `upgradeScopes` (after a
   * 403 `insufficient_scope`, add the scopes named and resend once) and `onChallenge` (decides
   * challenges core does not handle). An adapter's own `challenges` option replaces these member by member.
   * @default { upgradeScopes: false }
   */
  challenges?: ChallengeOptions | undefined
}

/** The validated options, with defaults applied and durations in ms. */
export interface ResolvedOptions {
  source: TokenSource
  name: string
  origins: OriginPolicy
  refreshBeforeMs: number | undefined
  expirySkewMs: number | undefined
  prefetch: Prefetch
  maxRetries: number
  retryDelay: (attempt: number, error: unknown) => number
  sourceTimeoutMs: number
  coolDownMs: number
  store: TokenStore | undefined
  storeKey: string
  clock: Clock
  defaultExpiresIn: number | undefined
  scopes: readonly string[] | undefined
  challenges: ChallengeOptions
  /** The credential pool that made the manager, named in diagnostics messages. */
  pool: string | undefined
}

const PREFETCH: readonly string[] = ['async', 'lazy', 'sync']

/**
 * Set by a credential pool on the options of each manager it makes: one compiled
 * {@link OriginPolicy} shared by its managers with the same `origins`, used instead of compiling
 * them again for each. Not exported from the package.
 */
export const sharedOrigins: unique symbol = Symbol('tokenwarden.sharedOrigins')

/** Set by a credential pool on the options of each manager it makes: the pool's name. Not exported from the package. */
export const poolName: unique symbol = Symbol('tokenwarden.poolName')

/** A manager's options as a credential pool passes them. */
export interface PooledManagerOptions extends TokenManagerOptions {
  /** The compiled `origins` (and `dangerouslyAllowInsecureHttp`) of these options. */
  [sharedOrigins]?: OriginPolicy | undefined
  /** The name of the pool that made the manager. */
  [poolName]?: string | undefined
}

/** Defaults of the manager's own options, in ms. */
export const managerDefaults: Readonly<{ sourceTimeoutInMs: number }> = Object.freeze({ sourceTimeoutInMs: 30_000 })

/** Checks every option at the public boundary; a bad one throws a coded `TypeError` naming it. */
export function resolveOptions(options: TokenManagerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  const { source } = options
  if (typeof source !== 'object' || source === null || typeof source.acquire !== 'function') {
    throw invalidOption('source', 'a token source (an object with an acquire method)')
  }
  const name = options.name ?? 'default'
  if (typeof name !== 'string' || name.length === 0) throw invalidOption('name', 'a non-empty string')
  const prefetch = options.prefetch ?? 'async'
  if (!PREFETCH.includes(prefetch)) throw invalidOption('prefetch', "'async', 'lazy' or 'sync'")
  const maxRetries = options.maxRetries ?? 10
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw invalidOption('maxRetries', 'a non-negative integer')
  if (options.retryDelay !== undefined && typeof options.retryDelay !== 'function') {
    throw invalidOption('retryDelay', 'a function (attempt, error) => milliseconds')
  }
  const store = options.store
  if (store !== undefined && !['get', 'set', 'delete'].every((m) => typeof (store as never)[m] === 'function')) {
    throw invalidOption('store', 'a token store with get, set and delete methods')
  }
  const clock = options.clock ?? systemClock
  if (!['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (clock as never)[m] === 'function')) {
    throw invalidOption('clock', 'a clock with now, setTimeout and clearTimeout')
  }
  const scopes = options.scopes
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))) {
    throw invalidOption('scopes', 'an array of strings')
  }
  const storeKey = options.storeKey ?? name
  if (typeof storeKey !== 'string' || storeKey.length === 0) throw invalidOption('storeKey', 'a non-empty string')
  return {
    source,
    name,
    origins:
      (options as PooledManagerOptions)[sharedOrigins] ??
      new OriginPolicy({ origins: options.origins ?? [], dangerouslyAllowInsecureHttp: options.dangerouslyAllowInsecureHttp }),
    refreshBeforeMs: seconds(options.refreshBefore, 'refreshBefore'),
    expirySkewMs: seconds(options.expirySkew, 'expirySkew'),
    prefetch: prefetch as Prefetch,
    maxRetries,
    retryDelay: options.retryDelay ?? defaultRetryDelay,
    sourceTimeoutMs: (positive(options.sourceTimeout, 'sourceTimeout') ?? managerDefaults.sourceTimeoutInMs / 1000) * 1000,
    coolDownMs: seconds(options.coolDown, 'coolDown') ?? failureDefaults.coolDownInMs,
    store,
    storeKey,
    clock,
    defaultExpiresIn: positive(options.defaultExpiresIn, 'defaultExpiresIn'),
    scopes,
    challenges: checkChallenges(options.challenges, 'challenges'),
    pool: (options as PooledManagerOptions)[poolName],
  }
}

function seconds(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(option, 'a non-negative number of seconds')
  }
  return value * 1000
}

function positive(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidOption(option, 'a positive number of seconds')
  }
  return value
}
