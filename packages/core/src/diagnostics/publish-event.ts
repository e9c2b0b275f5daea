import { isTokenError } from '../errors.ts'
import type { TokenEvent } from '../token-events.ts'
import type { Token } from '../token.ts'
import { diagnosticsChannels as names, publishChannel } from './diagnostics-channels.ts'
import type {
  ChallengeMessage,
  RefreshFailedMessage,
  StoreCoordinatedMessage,
  StoreFailedMessage,
  TokenInvalidatedMessage,
  TokenUpdatedMessage,
} from './diagnostics-messages.ts'

/** The channels a manager's events are published on (the others have their own publishers). */
const updated = publishChannel(names.tokenUpdated)
const invalidated = publishChannel(names.tokenInvalidated)
const refreshFailed = publishChannel(names.refreshFailed)
const challenge = publishChannel(names.challenge)
const coordinated = publishChannel(names.storeCoordinated)
const storeFailed = publishChannel(names.storeFailed)

const CODE = /^[A-Za-z][\w.-]{0,63}$/

/**
 * A secret-free word for an error: a `TokenError`'s code, a system error's (`ECONNREFUSED`), else
 * its class name (never its message).
 */
export function errorCode(error: unknown): string {
  if (isTokenError(error)) return error.code
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code === 'string' && CODE.test(code)) return code
  return error instanceof Error && CODE.test(error.name) ? error.name : 'Error'
}

/** A token's lifetime in ms, from its request to its expiry; `undefined` when unknown. */
export function lifetimeMs(token: Token): number | undefined {
  return token.expiresAt === undefined ? undefined : token.expiresAt - token.issuedAt
}

/**
 * Publishes a manager's event on its channel, when that channel has subscribers (no message is
 * made otherwise). Rules: what is published is a plain message with the facts the channel
 * documents, never the event itself (it holds the token, and errors).
 */
export function publishEvent(event: TokenEvent, pool: string | undefined): void {
  const { credential } = event
  switch (event.type) {
    case 'updated': {
      if (!updated.hasSubscribers) return
      const { token, reason } = event
      const { generation, tokenType, source } = token
      updated.publish({ credential, pool, reason, generation, tokenType, source, lifetimeMs: lifetimeMs(token) } satisfies TokenUpdatedMessage)
      return
    }
    case 'invalidated':
      if (invalidated.hasSubscribers) invalidated.publish({ credential, pool, generation: event.token.generation } satisfies TokenInvalidatedMessage)
      return
    case 'refresh-failed': {
      if (!refreshFailed.hasSubscribers) return
      const { error, attempt, reason, retryInMs } = event
      const { status, error: oauthError } = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; error?: unknown }
      refreshFailed.publish({
        credential,
        pool,
        reason,
        attempt,
        code: errorCode(error),
        status: typeof status === 'number' ? status : undefined,
        oauthError: typeof oauthError === 'string' && CODE.test(oauthError) ? oauthError : undefined,
        retryInMs,
      } satisfies RefreshFailedMessage)
      return
    }
    case 'challenge': {
      if (!challenge.hasSubscribers) return
      const { status, scheme, error, action } = event
      challenge.publish({ credential, pool, status, scheme, error, action } satisfies ChallengeMessage)
      return
    }
    case 'coordinated':
      if (coordinated.hasSubscribers) coordinated.publish({ credential, pool, outcome: event.outcome } satisfies StoreCoordinatedMessage)
      return
    case 'store-failed':
      if (storeFailed.hasSubscribers) storeFailed.publish({ credential, pool, code: errorCode(event.error) } satisfies StoreFailedMessage)
      return
    default:
  }
}
