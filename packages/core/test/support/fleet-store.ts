import type { CoordinatingStore, Coordinated, CoordinationRequest } from '../../src/stores/token-store.ts'
import type { TokenRecord } from '../../src/token.ts'

/**
 * An in-process {@link CoordinatingStore} shared by several managers, as processes share Redis:
 * one lease per key (waiters wait for its holder, then look again, and say they `waited`), records
 * committed before the holder's `coordinate` resolves, peers told through `watch` on a later turn
 * (unless `silent`).
 * `down` makes every call reject, as an unreachable store would.
 */
export class FleetStore implements CoordinatingStore {
  readonly records: Map<string, TokenRecord> = new Map()
  /** Calls of `acquire` the store made, all managers together. */
  acquisitions: number = 0
  down: boolean = false
  /** Tells no watcher: as when a peer's publish is lost. */
  silent: boolean = false
  readonly #leases = new Map<string, Promise<void>>()
  readonly #watchers = new Map<string, Set<(record: TokenRecord) => void>>()

  async get(key: string): Promise<TokenRecord | undefined> {
    this.#check()
    const record = this.records.get(key)
    return record === undefined ? undefined : structuredClone(record)
  }

  async set(key: string, record: TokenRecord): Promise<void> {
    this.#check()
    this.records.set(key, structuredClone(record))
  }

  async delete(key: string): Promise<void> {
    this.#check()
    this.records.delete(key)
  }

  async coordinate(key: string, request: CoordinationRequest): Promise<Coordinated> {
    let waited = false
    for (;;) {
      this.#check()
      const stored = this.records.get(key)
      if (stored !== undefined && request.usable(stored)) return { record: structuredClone(stored), acquired: false, waited }
      const lease = this.#leases.get(key)
      if (lease !== undefined) {
        waited = true
        await lease
        continue
      }
      let release!: () => void
      this.#leases.set(key, new Promise<void>((resolve) => (release = resolve)))
      try {
        this.acquisitions++
        const record = await request.acquire()
        this.records.set(key, structuredClone(record))
        if (!this.silent) for (const watcher of this.#watchers.get(key) ?? []) queueMicrotask(() => watcher(structuredClone(record)))
        return { record, acquired: true, waited }
      } finally {
        this.#leases.delete(key)
        release()
      }
    }
  }

  async invalidateIfSame(key: string, record: TokenRecord): Promise<boolean> {
    this.#check()
    if (this.records.get(key)?.accessToken !== record.accessToken) return false
    this.records.delete(key)
    return true
  }

  watch(key: string, listener: (record: TokenRecord) => void): () => void {
    const watchers = this.#watchers.get(key) ?? new Set()
    this.#watchers.set(key, watchers)
    watchers.add(listener)
    return () => watchers.delete(listener)
  }

  #check(): void {
    if (this.down) throw new Error('the store is unreachable')
  }
}
