import type { TokenRecord } from '../token.ts'

/**
 * Where a manager persists its token so that a restart, or another process, can reuse it. Keys are
 * credential names unless the manager is given a `storeKey`. Implementations must not log records:
 * they hold secrets.
 */
export interface TokenStore {
  /** The record under `key`, or `undefined`. A record that cannot be read counts as absent. */
  get(key: string): Promise<TokenRecord | undefined>
  /** Replaces the record under `key`; resolves once it is durable. */
  set(key: string, record: TokenRecord): Promise<void>
  /** Removes the record under `key`, if any. */
  delete(key: string): Promise<void>
}
