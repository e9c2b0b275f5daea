import type { AcquireReason } from '../source.ts'
import type { TokenRecord } from '../token.ts'

/**
 * Where a manager persists its token so that a restart, or another process, can reuse it. Keys are
 * credential names unless the manager is given a `storeKey`. Implementations must not log records:
 * they hold secrets.
 *
 * A store may also coordinate acquisitions across processes ({@link CoordinatingStore}); the
 * three methods here are all a store needs otherwise.
 */
export interface TokenStore {
  /** The record under `key`, or `undefined`. A record that cannot be read counts as absent. */
  get(key: string): Promise<TokenRecord | undefined>
  /** Replaces the record under `key`; resolves once it is durable. */
  set(key: string, record: TokenRecord): Promise<void>
  /** Removes the record under `key`, if any. */
  delete(key: string): Promise<void>
}

/** What a manager asks a {@link CoordinatingStore} for: one token, acquired once across processes. */
export interface CoordinationRequest {
  /** Why the manager needs a token. */
  readonly reason: AcquireReason
  /** Aborted when the manager closes: stop waiting, release what is held. */
  readonly signal: AbortSignal
  /**
   * Whether a record found in the store may be adopted instead of acquiring: it is not the token
   * being replaced, and it is not about to expire. The store adopts only records this accepts.
   */
  usable(record: TokenRecord): boolean
  /**
   * Calls the manager's source (with its retries) and returns the new record. Only the process that
   * holds the store's lease calls it; the store writes the record, fenced, and tells its peers.
   */
  acquire(): Promise<TokenRecord>
}

/** The answer to a {@link CoordinationRequest}. */
export interface Coordinated {
  /** The token to use. */
  readonly record: TokenRecord
  /** `true` when this process acquired it (`acquire` was called), `false` when it adopted a peer's. */
  readonly acquired: boolean
  /**
   * `true` when this process waited for another holder of the lease before it got the token (a
   * store that never waits may leave it out); what the manager reports as a lease waited.
   */
  readonly waited?: boolean | undefined
}

/**
 * A {@link TokenStore} shared by several processes that coordinates their acquisitions, so that one
 * token request serves the whole fleet. Rules a manager relies on:
 * - `coordinate` adopts a usable stored record when there is one; else exactly one caller across
 *   the fleet (the lease holder) runs `acquire`, the store writes its record (never over a newer
 *   one) and the others adopt it; the record is stored before anyone else may use it;
 * - `invalidateIfSame` deletes the stored record only while it is still `record` (same access
 *   token), so that a late 401 for an older token never drops a newer one;
 * - `watch` reports records peers stored, so that an idle process adopts them without a request;
 * - any method may reject (the store is down, slow or hung, past its own deadline): the manager then
 *   acquires on its own, keeps serving still-valid tokens, and tries the store again next time.
 */
export interface CoordinatingStore extends TokenStore {
  /** Gets a token for `key`, acquired at most once across the processes sharing the store. */
  coordinate(key: string, request: CoordinationRequest): Promise<Coordinated>
  /** Deletes the record under `key` if it is still `record`; resolves whether it did. */
  invalidateIfSame(key: string, record: TokenRecord): Promise<boolean>
  /** Calls `listener` with each record a peer stores under `key`; returns the function that stops it. */
  watch(key: string, listener: (record: TokenRecord) => void): () => void
}

/** Whether `store` coordinates acquisitions across processes ({@link CoordinatingStore}). */
export function isCoordinatingStore(store: TokenStore | undefined): store is CoordinatingStore {
  const candidate = store as Partial<CoordinatingStore> | undefined
  return (
    typeof candidate?.coordinate === 'function' &&
    typeof candidate.invalidateIfSame === 'function' &&
    typeof candidate.watch === 'function'
  )
}
