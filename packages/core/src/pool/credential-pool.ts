import { LRUCache } from 'lru-cache'
import type { TimerHandle } from '../clock.ts'
import { diagnosticsChannels, publishChannel } from '../diagnostics/diagnostics-channels.ts'
import type { PoolCreatedMessage, PoolEvictedMessage } from '../diagnostics/diagnostics-messages.ts'
import { ErrorCode, TokenError, invalidOption } from '../errors.ts'
import { INSPECT } from '../inspect-symbol.ts'
import { TokenManager } from '../token-manager.ts'
import { type PooledManagerOptions, poolName, sharedOrigins } from '../token-manager-options.ts'
import {
  type CredentialPoolOptions,
  type PooledCredentialOptions,
  type ResolvedPoolOptions,
  poolDefaults,
  resolvePoolOptions,
} from './pool-options.ts'
import { SharedOriginPolicies } from './shared-origin-policies.ts'

/** Counters and gauges of a {@link CredentialPool}. */
export interface CredentialPoolStats {
  /** Managers kept now. */
  readonly size: number
  /** Managers made: each key's first use, and its first use after its manager was dropped. */
  readonly created: number
  /** `get` calls answered with a kept manager. */
  readonly hits: number
  /** Managers dropped to stay within `max` (the least recently used ones). */
  readonly evictedByMax: number
  /** Managers dropped after `idle` seconds unused. */
  readonly evictedByIdle: number
  /** Managers dropped by `delete` (or found closed by hand at a `get`). */
  readonly deleted: number
  /** Dropped managers still finishing in-flight work for their waiting callers; each closes once it has. */
  readonly retiring: number
  /** Keys whose manager could not be made: the template threw, or the manager refused its options. */
  readonly templateFailures: number
}

type Counters = { -readonly [K in Exclude<keyof CredentialPoolStats, 'size' | 'retiring'>]: number }

/** Longest delay a timer takes (about 24.8 days); a sweep armed for later fires early and is armed again. */
const MAX_TIMER_MS = 2 ** 31 - 1
const created = publishChannel(diagnosticsChannels.poolCreated)
const evicted = publishChannel(diagnosticsChannels.poolEvicted)

/**
 * Many keyed credentials made from one template: a tenant, an app, an audience each get their own
 * {@link TokenManager}, with its own token, single flight, refresh and 401 handling. Simple rules:
 * - **lazy**: `get(key)` makes the key's manager at its first use, from `template(key)`, and
 *   returns that same instance while it is kept; its managers are `prefetch: 'lazy'` unless the
 *   template says otherwise, so a manager without a token holds no timer;
 * - **exact keys**: keys are compared as given (no trimming, case folding or Unicode
 *   normalisation); key `k`'s manager is named `<name>:<k>` and stores its token under that key,
 *   whatever name or `storeKey` the template returns, so two keys never share a token;
 * - **bounded**: at most `max` managers (making one more drops the least recently used), and none
 *   unused (no `get`) for long past `idle` seconds. One `unref`'d timer for the whole pool, armed
 *   only while it holds a manager, sweeps every `idle / 4` seconds (at least every second) and
 *   drops the managers unused for more than `idle` seconds by its clock: a manager is dropped
 *   between `idle` and `idle` plus one sweep interval after its last use. `get` reads no clock;
 * - **dropping fails no caller**: a dropped manager (by `max`, `idle` or `delete`) is closed only
 *   once its in-flight acquisition has settled and every caller waiting for it has its token
 *   ({@link TokenManager.settled}); the next `get` of its key makes a new manager meanwhile. A
 *   request that still holds a dropped manager after that gets `TOKEN_MANAGER_CLOSED` from it;
 * - `close()` closes every manager at once, like {@link TokenManager.close}; the pool then makes no more.
 *
 * @example
 * ```ts
 * const tenants = credentialPool({
 *   name: 'graph-tenants',
 *   template: (tenant) => ({
 *     source: clientCredentials({ tokenEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`, clientId, clientSecret }),
 *     origins: ['https://graph.microsoft.com'],
 *   }),
 *   max: 100_000,
 *   idle: 900,
 * })
 * const token = await tenants.get('contoso').getToken()
 * ```
 */
export class CredentialPool implements AsyncDisposable, Iterable<[string, TokenManager]> {
  /** The pool's name: the prefix of its managers' names and store keys. */
  readonly name: string
  readonly #options: ResolvedPoolOptions
  /** The kept managers; `undefined` once the pool is closed. */
  #cache: LRUCache<string, TokenManager> | undefined
  readonly #origins = new SharedOriginPolicies()
  /** Dropped managers, until they close. */
  readonly #retiring = new Map<TokenManager, Promise<void>>()
  readonly #counts: Counters = { created: 0, hits: 0, evictedByMax: 0, evictedByIdle: 0, deleted: 0, templateFailures: 0 }
  /** The pool's one timer: the next sweep of idle managers. */
  #sweep: TimerHandle | undefined
  /** The time as of the last sweep (epoch ms): the idle clock, read at sweeps only, never per `get`. */
  #sweptAt = 0
  #closing: Promise<void> | undefined

  constructor(options: CredentialPoolOptions) {
    this.#options = resolvePoolOptions(options)
    this.name = this.#options.name
    const { max, idleMs } = this.#options
    const idleClock = { now: (): number => this.#sweptAt }
    this.#cache = new LRUCache<string, TokenManager>({
      max,
      ...(idleMs === undefined ? {} : { ttl: idleMs, updateAgeOnGet: true, ttlResolution: 0, perf: idleClock }),
      disposeAfter: (manager, _key, reason) => this.#dropped(manager, reason),
    })
  }

  /**
   * Key `key`'s manager: the kept one, or a new one made from `template(key)` (a manager found
   * closed by hand is replaced). Counts as a use of the key, for `max` and `idle`.
   * @throws a `TypeError` coded {@link ErrorCode.INVALID_OPTION} when `key` is not a non-empty string;
   *   {@link ErrorCode.TEMPLATE_FAILED} (the template's error as `cause`) when the template throws or
   *   returns no options; the manager's own coded error when it refuses the template's options;
   *   {@link ErrorCode.CLOSED} once the pool is closed. Nothing is kept for a key that failed.
   */
  get(key: string): TokenManager {
    if (typeof key !== 'string' || key.length === 0) throw invalidOption('key', 'a non-empty string')
    const cache = this.#cache
    if (cache === undefined) throw this.#closedError()
    const kept = cache.get(key)
    if (kept !== undefined && !kept.closed) {
      this.#counts.hits++
      return kept
    }
    if (kept !== undefined) cache.delete(key)
    const manager = this.#make(key)
    if (this.#sweep === undefined) this.#arm()
    cache.set(key, manager)
    return manager
  }

  /** Whether `key` has a manager now. Not a use of the key. */
  has(key: string): boolean {
    return this.#cache?.has(key) ?? false
  }

  /**
   * Drops `key`'s manager: the next `get` makes a new one. It is closed once its in-flight work
   * has settled (its waiting callers get their token); resolves then, with whether there was one.
   */
  async delete(key: string): Promise<boolean> {
    const cache = this.#cache
    const manager = typeof key === 'string' ? cache?.peek(key) : undefined
    if (cache === undefined || manager === undefined) return false
    cache.delete(key)
    await this.#retiring.get(manager)
    return true
  }

  /** A snapshot of the pool's counters. */
  stats(): CredentialPoolStats {
    return { size: this.#cache?.size ?? 0, ...this.#counts, retiring: this.#retiring.size }
  }

  /** The keys with a manager, most recently used first. Not a use of them. */
  *keys(): Generator<string, void, undefined> {
    if (this.#cache !== undefined) yield* this.#cache.keys()
  }

  /** The keys and their managers, most recently used first. Not a use of them. */
  *entries(): Generator<[string, TokenManager], void, undefined> {
    if (this.#cache !== undefined) yield* this.#cache.entries()
  }

  /** Same as {@link CredentialPool.entries}. */
  [Symbol.iterator](): Generator<[string, TokenManager], void, undefined> {
    return this.entries()
  }

  /** Whether {@link CredentialPool.close} was called. */
  get closed(): boolean {
    return this.#cache === undefined
  }

  /**
   * Closes every manager now, dropped ones still finishing their work included (callers still
   * waiting reject with {@link ErrorCode.CLOSED}), stops the pool's timer and frees its storage.
   * Resolves once every manager is closed. `get` then throws {@link ErrorCode.CLOSED}.
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#close())
  }

  /** Same as {@link CredentialPool.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** A description without secrets: the name, the bounds and the counters. */
  toJSON(): Record<string, unknown> {
    const { max, idleMs } = this.#options
    return { name: this.name, max, idle: idleMs === undefined ? undefined : idleMs / 1000, closed: this.closed, ...this.stats() }
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: CredentialPool): string {
        return `CredentialPool ${JSON.stringify(this.toJSON())}`
      },
    })
  }

  async #close(): Promise<void> {
    const cache = this.#cache
    this.#cache = undefined
    this.#disarm()
    cache?.clear()
    // A loop, not a map over a list of them: each manager's closed error keeps its stack's
    // receivers, and a kept closed manager must not keep every other one through them.
    const closing: Promise<void>[] = []
    for (const [manager, retired] of this.#retiring) closing.push(manager.close().then(() => retired))
    await Promise.all(closing)
  }

  /** Makes `key`'s manager (see {@link CredentialPool.get}). */
  #make(key: string): TokenManager {
    const { name, template, clock } = this.#options
    const credential = `${name}:${key}`
    let options: PooledCredentialOptions
    try {
      options = template(key)
    } catch (error) {
      throw this.#templateFailed(credential, 'threw', error)
    }
    if (typeof options !== 'object' || options === null || typeof (options as { then?: unknown }).then === 'function') {
      throw this.#templateFailed(credential, 'returned no manager options (a template must return them, not a promise)')
    }
    try {
      const pooled: PooledManagerOptions = {
        ...options,
        prefetch: options.prefetch ?? 'lazy',
        clock: options.clock ?? clock,
        name: credential,
        storeKey: credential,
        [sharedOrigins]: this.#origins.for(options),
        [poolName]: name,
      }
      const manager = new TokenManager(pooled)
      this.#counts.created++
      if (created.hasSubscribers) created.publish({ pool: name, credential } satisfies PoolCreatedMessage)
      return manager
    } catch (error) {
      this.#counts.templateFailures++
      throw error
    }
  }

  #templateFailed(credential: string, what: string, cause?: unknown): TokenError {
    this.#counts.templateFailures++
    return new TokenError(ErrorCode.TEMPLATE_FAILED, `the template of credential pool "${this.name}" ${what} for "${credential}"`, {
      cause,
      credential,
    })
  }

  /** A manager left the cache: counts why, and closes it once it has settled. */
  #dropped(manager: TokenManager, reason: LRUCache.DisposeReason): void {
    const why = reason === 'evict' ? 'max' : reason === 'expire' ? 'idle' : this.#cache !== undefined ? 'deleted' : 'closed'
    if (why === 'max') this.#counts.evictedByMax++
    else if (why === 'idle') this.#counts.evictedByIdle++
    else if (why === 'deleted') this.#counts.deleted++
    if (evicted.hasSubscribers) evicted.publish({ pool: this.name, credential: manager.name, reason: why } satisfies PoolEvictedMessage)
    const retired = manager
      .settled()
      .then(() => manager.close())
      .finally(() => this.#retiring.delete(manager))
    this.#retiring.set(manager, retired)
    if (this.#cache?.size === 0) this.#disarm()
  }

  /**
   * Arms the pool's one timer (when the pool has an `idle`): it sweeps every `idle / 4` seconds
   * (at least every second) while the pool holds a manager. The idle clock is set now, so that
   * the manager about to be kept counts its idle time from now.
   */
  #arm(): void {
    const { idleMs, clock } = this.#options
    if (idleMs === undefined) return
    this.#sweptAt = clock.now()
    const everyMs = Math.max(idleMs * poolDefaults.sweepFraction, poolDefaults.minSweepInMs)
    this.#sweep = clock.setTimeout(() => this.#sweepIdle(), Math.min(everyMs, MAX_TIMER_MS))
  }

  #disarm(): void {
    if (this.#sweep === undefined) return
    this.#options.clock.clearTimeout(this.#sweep)
    this.#sweep = undefined
  }

  /** Drops every manager unused for more than `idle` by the clock read now; armed again while any is left. */
  #sweepIdle(): void {
    this.#sweep = undefined
    const cache = this.#cache
    if (cache === undefined) return
    this.#sweptAt = this.#options.clock.now()
    cache.purgeStale()
    if (cache.size > 0) this.#arm()
  }

  #closedError(): TokenError {
    return new TokenError(ErrorCode.CLOSED, `the credential pool "${this.name}" is closed`, { transient: false })
  }
}

/**
 * Makes a {@link CredentialPool}: many keyed credentials (tenants, apps, audiences) from one template.
 *
 * @example
 * ```ts
 * const apps = credentialPool({ name: 'fly-apps', template: (app) => ({ source: command({ command: 'fly', args: ['tokens', 'create', 'deploy', '-a', app] }), origins: ['https://api.machines.dev'] }), max: 1_000, idle: 3_600 })
 * fetch = withAuth(fetch, (request) => apps.get(appOf(request)))
 * ```
 */
export function credentialPool(options: CredentialPoolOptions): CredentialPool {
  return new CredentialPool(options)
}
