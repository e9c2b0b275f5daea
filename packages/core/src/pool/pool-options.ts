import { type Clock, systemClock } from '../clock.ts'
import { invalidOption } from '../errors.ts'
import type { TokenManagerOptions } from '../token-manager-options.ts'

/**
 * What a pool's template returns for a key: that key's manager options. The name and the store key
 * are the pool's to give (`<pool name>:<key>`), so two keys never share a token.
 */
export type PooledCredentialOptions = Omit<TokenManagerOptions, 'name' | 'storeKey'>

/**
 * Makes the options of `key`'s manager, at the key's first use (and again after its manager was
 * dropped). Called synchronously by {@link CredentialPool.get}: it must return the options, not a
 * promise of them.
 */
export type CredentialTemplate = (key: string) => PooledCredentialOptions

/** Options of {@link credentialPool}. Durations are seconds; fractions are allowed. */
export interface CredentialPoolOptions {
  /**
   * The pool's name. Key `k`'s manager is named `<name>:<k>`, in its errors and events, and keeps
   * its token in a store under that same key.
   */
  name: string
  /**
   * Makes each key's manager options (its source, origins, store, …).
   *
   * @example
   * ```ts
   * template: (tenant) => ({
   *   source: clientCredentials({ tokenEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`, clientId, clientSecret }),
   *   origins: ['https://graph.microsoft.com'],
   * })
   * ```
   */
  template: CredentialTemplate
  /**
   * The most managers kept at once. Making one more closes and drops the least recently used
   * (once its in-flight work has settled). Storage for this many entries is allocated up front,
   * about 40 bytes each.
   */
  max: number
  /**
   * Seconds a manager may go unused (no {@link CredentialPool.get} of its key) before it is closed
   * and dropped, by the pool's next sweep (every `idle / 4` seconds, at least every second).
   * @default none: managers leave only through `max`, `delete` or `close`
   */
  idle?: number | undefined
  /**
   * Time and timers: the pool's idle clock, and its managers' unless the template gives another.
   * @default the system clock, timers `unref`'d
   */
  clock?: Clock | undefined
}

/** The validated options of a pool, durations in ms. */
export interface ResolvedPoolOptions {
  name: string
  template: CredentialTemplate
  max: number
  idleMs: number | undefined
  clock: Clock
}

/** How often a pool with an `idle` sweeps: every `idle × sweepFraction`, and at most once per `minSweepInMs`. */
export const poolDefaults: Readonly<{ sweepFraction: number; minSweepInMs: number }> = Object.freeze({
  sweepFraction: 1 / 4,
  minSweepInMs: 1000,
})

/** Checks a pool's options at the public boundary; a bad one throws a coded `TypeError` naming it. */
export function resolvePoolOptions(options: CredentialPoolOptions): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  const { name, template, max, idle } = options
  if (typeof name !== 'string' || name.length === 0) throw invalidOption('name', 'a non-empty string')
  if (typeof template !== 'function') throw invalidOption('template', 'a function (key) => manager options')
  if (!Number.isSafeInteger(max) || max < 1) throw invalidOption('max', 'a positive integer')
  if (idle !== undefined && (typeof idle !== 'number' || !Number.isFinite(idle) || idle <= 0)) {
    throw invalidOption('idle', 'a positive number of seconds')
  }
  const clock = options.clock ?? systemClock
  if (!['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (clock as never)[m] === 'function')) {
    throw invalidOption('clock', 'a clock with now, setTimeout and clearTimeout')
  }
  return { name, template, max, idleMs: idle === undefined ? undefined : idle * 1000, clock }
}
