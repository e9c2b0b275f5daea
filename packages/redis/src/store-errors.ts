import { ErrorCode, TokenError } from '@tokenwarden/core'

/**
 * The codes of the errors a {@link RedisStore} rejects with, besides core's `TOKEN_INVALID_OPTION`.
 * Match on these, never on message text.
 */
export const StoreErrorCode: Readonly<{
  /** Redis did not answer within the deadline, failed, or the store pauses after a failure (transient). */
  UNAVAILABLE: typeof ErrorCode.STORE_UNAVAILABLE
  /** The store was closed. */
  CLOSED: typeof ErrorCode.STORE_CLOSED
}> = Object.freeze({
  UNAVAILABLE: ErrorCode.STORE_UNAVAILABLE,
  CLOSED: ErrorCode.STORE_CLOSED,
})

/** Redis failed or is paused: transient, the caller may acquire on its own. */
export function storeUnavailable(message: string, cause?: unknown): TokenError {
  return new TokenError(StoreErrorCode.UNAVAILABLE, message, { cause, transient: true })
}

/** The store was closed. */
export function storeClosed(): TokenError {
  return new TokenError(StoreErrorCode.CLOSED, 'the Redis token store is closed', { transient: false })
}
