import type { RedisStoreEvent } from './redis-store-options.ts'

/**
 * What a {@link RedisStore} has done since it was created, counted from its
 * {@link RedisStoreEvent}s (whether or not `onEvent` was given), and whether it counts Redis as
 * available now. Never a secret.
 */
export interface RedisStoreStats {
  /**
   * Whether Redis is considered available: `false` from a failed or timed-out call until Redis
   * answers again; meanwhile calls fail fast with `TOKEN_STORE_UNAVAILABLE` and managers acquire
   * on their own.
   */
  readonly available: boolean
  /** Leases this store took: acquisitions in which this process called its source for the fleet (`lease-won`). */
  readonly leasesWon: number
  /** Acquisitions that waited for another process's lease, counted once each (`lease-waited`). */
  readonly leasesWaited: number
  /** Stored records adopted without acquiring (`adopted`). */
  readonly adopted: number
  /** Tokens a lease holder here could not write: Redis failed, or a newer record was there (`commit-failed`). */
  readonly commitFailures: number
  /** Times Redis became unavailable: a call failed or timed out, and the store paused (`unavailable`). */
  readonly unavailable: number
  /** Times Redis answered again after being unavailable (`recovered`). */
  readonly recovered: number
  /** Stored records that could not be read or decrypted, each record once (`unreadable`). */
  readonly unreadableRecords: number
}

type Counted = Exclude<keyof RedisStoreStats, 'available'>

const COUNTERS: Readonly<Record<RedisStoreEvent['type'], Counted>> = {
  'lease-won': 'leasesWon',
  'lease-waited': 'leasesWaited',
  adopted: 'adopted',
  'commit-failed': 'commitFailures',
  unavailable: 'unavailable',
  recovered: 'recovered',
  unreadable: 'unreadableRecords',
}

/** A store's counters: one per kind of {@link RedisStoreEvent}. */
export class StoreCounters {
  readonly #counts: Record<Counted, number> = {
    leasesWon: 0,
    leasesWaited: 0,
    adopted: 0,
    commitFailures: 0,
    unavailable: 0,
    recovered: 0,
    unreadableRecords: 0,
  }

  /** Counts `event`. */
  count(event: RedisStoreEvent): void {
    this.#counts[COUNTERS[event.type]]++
  }

  /** A snapshot, with `available` as the store sees Redis now. */
  snapshot(available: boolean): RedisStoreStats {
    return { available, ...this.#counts }
  }
}
