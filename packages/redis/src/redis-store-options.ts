import { type Clock, systemClock } from '@tokenwarden/core'
import { invalidOption } from '@tokenwarden/core/adapter'
import type { EncryptionOptions } from './record-codec.ts'
import type { RedisClientLike } from './redis-client.ts'

/** Options of {@link redisStore}. Durations are in seconds, fractions allowed. */
export interface RedisStoreOptions {
  /**
   * Your connected node-redis client (`await createClient({ url }).connect()`); you keep owning it.
   * The store calls `sendCommand`, and `duplicate()` once for its pub/sub connection, which it
   * alone closes. Recommended: `disableOfflineQueue: true`, `pingInterval` and
   * `socket.socketTimeout`, so that the client itself notices a dead or hung Redis.
   */
  client: RedisClientLike
  /**
   * Prefix of every Redis key and channel the store uses; processes that share tokens use the same.
   * It may not contain `{` or `}` (each store key gets its own hash tag).
   * @default 'tokenwarden:'
   */
  keyPrefix?: string | undefined
  /**
   * Seconds a lease lasts without renewal: how long a crashed holder keeps the fleet waiting. The
   * holder renews it every third of that while its source works. From 0.1 to 3600.
   * @default 10
   */
  lease?: number | undefined
  /**
   * Seconds each Redis call may take before it rejects with `TOKEN_STORE_UNAVAILABLE` and the
   * store pauses. Above 0, at most 60.
   * @default 0.25
   */
  timeout?: number | undefined
  /**
   * Encrypts records at rest (AES-256-GCM). Without it the stored record, access and refresh
   * token included, is readable by anyone who can read Redis.
   */
  encryption?: EncryptionOptions | undefined
  /** Called with each {@link RedisStoreEvent}; what it throws is ignored. Events never hold a secret. */
  onEvent?: ((event: RedisStoreEvent) => void) | undefined
  /** Where the store reads the time and sets its timers (tests). @default systemClock */
  clock?: Clock | undefined
}

/** What a {@link RedisStore} reports. None holds a secret. */
export type RedisStoreEvent =
  /** This process took the lease for `key` and is acquiring with fence `fence`. */
  | { readonly type: 'lease-won'; readonly key: string; readonly fence: number }
  /** Another process held the lease for `key`; this one waits for its token (once per call). */
  | { readonly type: 'lease-waited'; readonly key: string }
  /** A stored record (a peer's, or an earlier one of this process) was adopted without acquiring. */
  | { readonly type: 'adopted'; readonly key: string }
  /** This holder's token could not be written (Redis failed, or a newer record was there). */
  | { readonly type: 'commit-failed'; readonly key: string }
  /** A Redis call failed or timed out: the store fails fast for a short pause. */
  | { readonly type: 'unavailable' }
  /** Redis answered again after being unavailable. */
  | { readonly type: 'recovered' }
  /** The record stored for `key` could not be decrypted or read: it counts as absent. Once per record. */
  | { readonly type: 'unreadable'; readonly key: string }

/** The defaults of {@link RedisStoreOptions}, with their units in their names. */
export const redisStoreDefaults: Readonly<{ keyPrefix: string; leaseInSeconds: number; timeoutInSeconds: number }> =
  Object.freeze({ keyPrefix: 'tokenwarden:', leaseInSeconds: 10, timeoutInSeconds: 0.25 })

/** The options once checked, durations in ms. */
export interface ResolvedStoreOptions {
  readonly client: RedisClientLike
  readonly keyPrefix: string
  readonly leaseMs: number
  readonly timeoutMs: number
  readonly encryption: EncryptionOptions | undefined
  readonly onEvent: ((event: RedisStoreEvent) => void) | undefined
  readonly clock: Clock
}

const isKey = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.byteLength === 32

function seconds(value: unknown, name: string, fallback: number, min: number, max: number, expected: string): number {
  if (value === undefined) return fallback * 1000
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || value <= 0) {
    throw invalidOption(name, expected)
  }
  return Math.max(1, Math.round(value * 1000))
}

/** Checks every option at the boundary; throws a coded `TypeError` naming the first bad one. */
export function resolveStoreOptions(options: RedisStoreOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  const { client, keyPrefix, encryption, onEvent, clock } = options
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.sendCommand !== 'function' ||
    typeof client.duplicate !== 'function'
  ) {
    throw invalidOption('client', 'a connected node-redis client (with sendCommand and duplicate)')
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix))) {
    throw invalidOption('keyPrefix', 'a string without "{" or "}"')
  }
  if (encryption !== undefined) {
    if (typeof encryption !== 'object' || encryption === null) throw invalidOption('encryption', 'an object')
    if (!isKey(encryption.key)) throw invalidOption('encryption.key', 'a Uint8Array of 32 bytes')
    const previous = encryption.previousKeys
    if (previous !== undefined) {
      if (!Array.isArray(previous)) throw invalidOption('encryption.previousKeys', 'an array of 32-byte Uint8Arrays')
      previous.forEach((key: unknown, index) => {
        if (!isKey(key)) throw invalidOption(`encryption.previousKeys[${index}]`, 'a Uint8Array of 32 bytes')
      })
    }
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') throw invalidOption('onEvent', 'a function')
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function')
  ) {
    throw invalidOption('clock', 'a Clock (now, setTimeout, clearTimeout)')
  }
  return {
    client,
    keyPrefix: keyPrefix ?? redisStoreDefaults.keyPrefix,
    leaseMs: seconds(options.lease, 'lease', redisStoreDefaults.leaseInSeconds, 0.1, 3600, 'a number of seconds from 0.1 to 3600'),
    timeoutMs: seconds(options.timeout, 'timeout', redisStoreDefaults.timeoutInSeconds, 0, 60, 'a number of seconds above 0, at most 60'),
    encryption: encryption === undefined ? undefined : { key: encryption.key, previousKeys: encryption.previousKeys },
    onEvent,
    clock: clock ?? systemClock,
  }
}
