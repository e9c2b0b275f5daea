import { randomUUID } from 'node:crypto'
import { channel } from 'node:diagnostics_channel'
import {
  type Clock,
  type CoordinatingStore,
  type Coordinated,
  type CoordinationRequest,
  type RedisAvailabilityMessage,
  type TokenRecord,
  diagnosticsChannels,
} from '@tokenwarden/core'
import { abortable, invalidOption } from '@tokenwarden/core/adapter'
import { eventsChannel } from './channel-message.ts'
import { CircuitBreaker } from './circuit-breaker.ts'
import { type StoreKeyNames, keyNames } from './keys.ts'
import { KeyWatcher, type StoredRecord, type WatchHost } from './key-watcher.ts'
import { ACQUIRE, COMMIT, INVALIDATE_IF_SAME, RELEASE, RENEW, SET, type Script, runScript } from './lease-scripts.ts'
import { LeaseWait } from './lease-wait.ts'
import { RecordCodec } from './record-codec.ts'
import type { RedisClientLike } from './redis-client.ts'
import { RedisGuard } from './redis-guard.ts'
import { type RedisStoreEvent, type RedisStoreOptions, resolveStoreOptions } from './redis-store-options.ts'
import { storeClosed, storeUnavailable } from './store-errors.ts'
import { type RedisStoreStats, StoreCounters } from './store-stats.ts'
import { Subscriptions } from './subscriptions.ts'

/** Added to a lease's remaining time before a waiter looks again: 5 ms, plus up to 20 ms at random. */
const WAIT_MARGIN_MS = 5
const WAIT_JITTER_MS = 20
/**
 * The longest a waiter sleeps before it asks Redis again, at least: a holder's publish may be lost
 * (Redis stopped or hung meanwhile), and asking again is how a waiter learns that Redis failed.
 */
const MIN_MAX_WAIT_MS = 1000
const noop = (): void => {}
/** Where a store tells that Redis became unavailable or answered again (`tokenwarden:redis:availability`). */
const availability = channel(diagnosticsChannels.redisAvailability)

type Acquired =
  | { readonly kind: 'record'; readonly rec: string | undefined; readonly fence: string }
  | { readonly kind: 'held'; readonly pttl: number }
  | { readonly kind: 'lease'; readonly fence: number }

/**
 * A {@link CoordinatingStore} on Redis, shared by every process that uses the same key prefix: one
 * token request per credential and cycle across the fleet. Create it with {@link redisStore}.
 *
 * Rules, per store key:
 * - `coordinate` asks Redis, in one script, for a stored record or the lease. A record the request
 *   finds usable is adopted; else the caller takes the lease (fence n) or waits while another
 *   process holds it: until that holder publishes, or the lease's remaining time (plus a little
 *   jitter) passes, or 1 s (4 deadlines, if longer) passes, then it asks again — so a waiter
 *   whose holder's publish was lost to a failing Redis learns of the failure within a second;
 * - the holder renews the lease every third of its length while `acquire()` runs, then commits:
 *   the record is written only if its fence is newer than the last write, the lease dropped if still
 *   its own, and the peers told (fence and fingerprint only, never a token);
 * - a holder whose `acquire()` rejects, or whose request aborts, releases the lease at once;
 * - every Redis call has its own deadline (`timeout`); a failure pauses the store for a few seconds
 *   (calls reject at once with `TOKEN_STORE_UNAVAILABLE`), then one call probes Redis.
 */
export class RedisStore implements CoordinatingStore {
  readonly #client: RedisClientLike
  readonly #prefix: string
  /** The store's one pub/sub channel, `<prefix>events`: messages of every store key, each naming its key. */
  readonly #channel: string
  readonly #leaseMs: number
  /** The longest single wait for a holder: the larger of 1 s and 4 deadlines. */
  readonly #maxWaitMs: number
  readonly #clock: Clock
  readonly #onEvent: ((event: RedisStoreEvent) => void) | undefined
  readonly #codec: RecordCodec
  readonly #breaker: CircuitBreaker
  readonly #guard: RedisGuard
  readonly #subscriptions: Subscriptions
  /** Names this store in its messages, so that its watchers skip its own commits. */
  readonly #origin = randomUUID()
  readonly #closing = new AbortController()
  /** Coordinations holding a lease: `close()` waits for them to release it. */
  readonly #holding = new Set<Promise<unknown>>()
  /** What every watcher of this store asks of it. */
  readonly #watchHost: WatchHost
  /** The last unreadable record reported per store key (its fence), so each is reported once. */
  readonly #unreadable = new Map<string, string>()
  readonly #counters = new StoreCounters()

  /** Use {@link redisStore}. */
  constructor(options: RedisStoreOptions) {
    const resolved = resolveStoreOptions(options)
    this.#client = resolved.client
    this.#prefix = resolved.keyPrefix
    this.#channel = eventsChannel(resolved.keyPrefix)
    this.#leaseMs = resolved.leaseMs
    this.#maxWaitMs = Math.max(MIN_MAX_WAIT_MS, 4 * resolved.timeoutMs)
    this.#clock = resolved.clock
    this.#onEvent = resolved.onEvent
    this.#codec = new RecordCodec(resolved.encryption)
    this.#breaker = new CircuitBreaker((open) => this.#emit({ type: open ? 'unavailable' : 'recovered' }))
    this.#guard = new RedisGuard(resolved.timeoutMs, this.#clock, this.#breaker)
    this.#subscriptions = new Subscriptions(this.#client, this.#guard, this.#clock, this.#channel)
    this.#watchHost = {
      clock: this.#clock,
      origin: this.#origin,
      read: (key) => this.#readStored(key),
      decode: (key, stored) => this.#decode(key, keyNames(this.#prefix, key), stored.rec, stored.fence),
      forget: (watcher) => this.#subscriptions.unlisten(watcher.key, watcher),
    }
  }

  /** The record under `key`; `undefined` when there is none or it cannot be read (wrong key). */
  async get(key: string): Promise<TokenRecord | undefined> {
    const names = this.#names(key)
    const reply = await this.#guard.run('HMGET', () => this.#client.sendCommand(['HMGET', names.token, 'rec', 'fence']))
    const [rec, fence] = Array.isArray(reply) ? reply : []
    return this.#decode(key, names, text(rec), text(fence) ?? '')
  }

  /** Writes `record` under `key` as the newest (a manual override) and tells the peers. */
  async set(key: string, record: TokenRecord): Promise<void> {
    const names = this.#names(key)
    const fingerprint = this.#codec.fingerprint(record.accessToken)
    const rec = this.#codec.encode(names.token, record)
    await this.#script('SET', SET, names, [rec, fingerprint, this.#ttl(record), this.#channel, this.#origin, key])
  }

  /** Removes the record under `key`, if any. */
  async delete(key: string): Promise<void> {
    const names = this.#names(key)
    await this.#guard.run('DEL', () => this.#client.sendCommand(['DEL', names.token]))
  }

  /** Gets a token for `key`, acquired at most once across the processes sharing this Redis and prefix. */
  async coordinate(key: string, request: CoordinationRequest): Promise<Coordinated> {
    const names = this.#names(key)
    const signal = AbortSignal.any([request.signal, this.#closing.signal])
    const reason = (): unknown => (this.#closing.signal.aborted ? storeClosed() : request.signal.reason)
    let skip = ''
    let wait: LeaseWait | undefined
    let waited = false
    try {
      for (;;) {
        if (signal.aborted) throw reason()
        const heard = wait?.heard ?? 0
        const answer = await this.#acquireOrWait(key, names, skip)
        if (answer.kind === 'record') {
          const record = this.#decode(key, names, answer.rec, answer.fence)
          if (record !== undefined && request.usable(record)) {
            this.#emit({ type: 'adopted', key })
            return { record, acquired: false, waited }
          }
          skip = answer.fence
        } else if (answer.kind === 'lease') {
          this.#emit({ type: 'lease-won', key, fence: answer.fence })
          const holding = this.#hold(key, names, answer.fence, request, signal, reason, waited)
          this.#holding.add(holding)
          return await holding.finally(() => this.#holding.delete(holding))
        } else if (wait === undefined) {
          // Simple rules: listen before the try that decides to wait, so no publish slips between.
          wait = new LeaseWait(this.#clock)
          this.#subscriptions.listen(key, wait)
          await this.#subscriptions.ready()
        } else {
          if (!waited) this.#emit({ type: 'lease-waited', key })
          waited = true
          const leaseLeft = answer.pttl + WAIT_MARGIN_MS + Math.random() * WAIT_JITTER_MS
          await wait.until(heard, Math.min(leaseLeft, this.#maxWaitMs), signal, reason)
        }
      }
    } finally {
      if (wait !== undefined) this.#subscriptions.unlisten(key, wait)
    }
  }

  /**
   * What this store has done since it was created (leases won and waited, records adopted, commits
   * that failed, Redis unavailable and recovered, unreadable records), and whether it counts Redis
   * as available now. Counted whether or not `onEvent` was given.
   */
  stats(): RedisStoreStats {
    return this.#counters.snapshot(!this.#breaker.open)
  }

  /** Deletes the record under `key` if it is still `record` (same access token); resolves whether it did. */
  async invalidateIfSame(key: string, record: TokenRecord): Promise<boolean> {
    const names = this.#names(key)
    const fingerprints = this.#codec.fingerprints(record.accessToken)
    const reply = await this.#script('INVALIDATE', INVALIDATE_IF_SAME, names, [this.#channel, this.#origin, key, ...fingerprints])
    return Number(reply) === 1
  }

  /**
   * Calls `listener` with each record another process (or another store) stores under `key`, read
   * after its message; returns the function that stops it. Watching sends Redis nothing by itself:
   * the store keeps one subscription, to its channel, for every key and listener (subscribed with
   * the first, again after a failure, ended with the last), and hands each message to its key's
   * listeners only.
   * After a reconnect it reads the record once (messages sent meanwhile are lost), which may then
   * be one this store wrote. A closed store calls no listener.
   */
  watch(key: string, listener: (record: TokenRecord) => void): () => void {
    checkKey(key)
    if (this.#closing.signal.aborted) return noop
    const watcher = new KeyWatcher(this.#watchHost, key, listener)
    this.#subscriptions.listen(key, watcher)
    return watcher.stop.bind(watcher)
  }

  /**
   * Ends the store: waits for leases it holds to be released, ends its subscriptions, its
   * connection and its timers. Later calls reject with `TOKEN_STORE_CLOSED`. The client you gave
   * stays open.
   */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return
    this.#closing.abort()
    await Promise.allSettled([...this.#holding])
    this.#guard.close()
    this.#subscriptions.close()
  }

  /** Same as {@link RedisStore.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #names(key: string): StoreKeyNames {
    checkKey(key)
    if (this.#closing.signal.aborted) throw storeClosed()
    return keyNames(this.#prefix, key)
  }

  /** The record stored under `key`, as a watcher reads it after a message. */
  async #readStored(key: string): Promise<StoredRecord | undefined> {
    const token = keyNames(this.#prefix, key).token
    const reply = await this.#guard.run('HMGET', () => this.#client.sendCommand(['HMGET', token, 'rec', 'fence', 'fp']))
    const [rec, fence, fingerprint] = Array.isArray(reply) ? reply.map(text) : []
    return rec === undefined ? undefined : { id: `${fence}|${fingerprint}`, rec, fence: fence ?? '' }
  }

  #script(what: string, script: Script, names: StoreKeyNames, args: readonly string[], onLate?: (reply: unknown) => void): Promise<unknown> {
    return this.#guard.run(what, () => runScript(this.#client, script, [names.token, names.lease, names.fence], args), onLate)
  }

  async #acquireOrWait(key: string, names: StoreKeyNames, skip: string): Promise<Acquired> {
    // Simple rules: a lease granted after the deadline belongs to nobody: release it at once.
    const releaseLate = (reply: unknown): void => {
      const answer = parseAcquired(reply)
      if (answer?.kind === 'lease') void this.#release(key, names, String(answer.fence))
    }
    const reply = await this.#script('ACQUIRE', ACQUIRE, names, [String(this.#leaseMs), skip], releaseLate)
    const answer = parseAcquired(reply)
    if (answer === undefined) throw storeUnavailable('Redis answered ACQUIRE with an unexpected reply')
    return answer
  }

  /** Holds the lease `fence`: renews it while `acquire()` runs, then commits or releases. */
  async #hold(
    key: string,
    names: StoreKeyNames,
    fence: number,
    request: CoordinationRequest,
    signal: AbortSignal,
    reason: () => unknown,
    waited: boolean,
  ): Promise<Coordinated> {
    const fenceText = String(fence)
    const renewal = this.#renew(names, fenceText)
    let record: TokenRecord
    let fingerprint: string
    let rec: string
    try {
      let acquiring: Promise<TokenRecord>
      try {
        acquiring = Promise.resolve(request.acquire())
      } catch (error) {
        acquiring = Promise.reject(error)
      }
      record = await abortable(acquiring, signal)
      fingerprint = this.#codec.fingerprint(record.accessToken)
      rec = this.#codec.encode(names.token, record)
    } catch (error) {
      renewal.stop()
      await this.#release(key, names, fenceText)
      throw signal.aborted ? reason() : error
    }
    renewal.stop()
    let reply: unknown
    try {
      const args = [fenceText, rec, fingerprint, this.#ttl(record), this.#channel, this.#origin, key]
      reply = await this.#script('COMMIT', COMMIT, names, args)
    } catch (error) {
      this.#emit({ type: 'commit-failed', key })
      throw error
    }
    if (!Array.isArray(reply) || text(reply[0]) !== 'stale') return { record, acquired: true, waited }
    this.#emit({ type: 'commit-failed', key })
    const newer = this.#decode(key, names, text(reply[1]), text(reply[2]) ?? '')
    const usable = newer !== undefined && request.usable(newer)
    return usable ? { record: newer, acquired: false, waited } : { record, acquired: true, waited }
  }

  /** Renews the lease every third of its length until stopped, or until it is no longer ours. */
  #renew(names: StoreKeyNames, fence: string): { stop(): void } {
    let stopped = false
    let timer: unknown
    const schedule = (): void => {
      if (stopped) return
      timer = this.#clock.setTimeout(() => {
        this.#script('RENEW', RENEW, names, [fence, String(this.#leaseMs)]).then(
          (reply) => {
            if (Number(reply) === 1) schedule()
          },
          () => {
            if (!this.#guard.closed) schedule()
          },
        )
      }, Math.max(1, Math.floor(this.#leaseMs / 3)))
    }
    schedule()
    return {
      stop: () => {
        stopped = true
        this.#clock.clearTimeout(timer)
      },
    }
  }

  /** Drops the lease if it is still `fence`'s and wakes the waiters; never rejects. */
  #release(key: string, names: StoreKeyNames, fence: string): Promise<void> {
    return this.#guard.cleanUp(() => runScript(this.#client, RELEASE, [names.token, names.lease, names.fence], [fence, this.#channel, key]))
  }

  /** The record `rec` stored under `names` with `fence`; reports an unreadable one once. */
  #decode(key: string, names: StoreKeyNames, rec: string | undefined, fence: string): TokenRecord | undefined {
    if (rec === undefined) return undefined
    const record = this.#codec.decode(names.token, rec)
    if (record === undefined && this.#unreadable.get(key) !== fence) {
      this.#unreadable.set(key, fence)
      this.#emit({ type: 'unreadable', key })
    }
    return record
  }

  /**
   * The record's remaining lifetime in ms, as Redis's PEXPIRE wants it; '' for none. A record that
   * holds a refresh token never expires in Redis: the refresh token outlives the access token, and a
   * process started later must redeem the rotated one, never the spent one it was configured with.
   */
  #ttl(record: TokenRecord): string {
    if (record.expiresAt === undefined || record.refreshToken !== undefined) return ''
    return String(Math.max(1, Math.ceil(record.expiresAt - this.#clock.now())))
  }

  #emit(event: RedisStoreEvent): void {
    this.#counters.count(event)
    if (availability.hasSubscribers && (event.type === 'unavailable' || event.type === 'recovered')) {
      availability.publish({ available: event.type === 'recovered', keyPrefix: this.#prefix } satisfies RedisAvailabilityMessage)
    }
    try {
      this.#onEvent?.(event)
    } catch {
      // Simple rules: a listener's failure never reaches Redis calls or their callers.
    }
  }
}

/**
 * A {@link RedisStore} on your connected node-redis client.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { credentials } from '@tokenwarden/core'
 * import { redisStore } from '@tokenwarden/redis'
 *
 * const redis = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect()
 * const store = redisStore({ client: redis, encryption: { key: storeKey } })
 * credentials.register('graph', { source, origins: ['https://graph.microsoft.com'], store })
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw invalidOption('key', 'a non-empty string')
}

/** A reply as text: strings as they are, buffers decoded, anything else (nil) `undefined`. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  return undefined
}

function parseAcquired(reply: unknown): Acquired | undefined {
  if (!Array.isArray(reply)) return undefined
  const kind = text(reply[0])
  if (kind === 'record') return { kind, rec: text(reply[1]), fence: text(reply[2]) ?? '' }
  if (kind === 'held') return { kind, pttl: Math.max(0, Number(reply[1])) }
  if (kind === 'lease') return { kind, fence: Number(reply[1]) }
  return undefined
}
