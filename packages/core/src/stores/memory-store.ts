import type { TokenRecord } from '../token.ts'
import type { TokenStore } from './token-store.ts'

/** A {@link TokenStore} in process memory: the default, shared by nothing but its own managers. */
export class MemoryStore implements TokenStore {
  readonly #records = new Map<string, TokenRecord>()

  async get(key: string): Promise<TokenRecord | undefined> {
    const record = this.#records.get(key)
    return record === undefined ? undefined : structuredClone(record)
  }

  async set(key: string, record: TokenRecord): Promise<void> {
    this.#records.set(key, structuredClone(record))
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key)
  }
}
