import type { RetryKind } from '../policy/auth-request.ts'
import type { ChallengeAction } from '../policy/challenge-decision.ts'
import type { AcquireReason } from '../source.ts'
import type { UpdateReason } from '../token-events.ts'

/** Who a message is about: every message on a credential's channel has these. */
export interface CredentialMessage {
  /** The credential's name (a pooled one's is `<pool>:<key>`). */
  readonly credential: string
  /** The credential pool the credential belongs to; `undefined` for one made on its own. */
  readonly pool: string | undefined
}

/**
 * How an acquisition got its token: `source` (its source was called), `stored` (read back from a
 * plain store), `lease-won`, `lease-waited` or `adopted` (a coordinating store answered, as in
 * the `coordinated` event), or `failed`.
 */
export type AcquisitionOutcome = 'source' | 'stored' | 'lease-won' | 'lease-waited' | 'adopted' | 'failed'

/**
 * The context of one acquisition on the `tokenwarden:acquisition` tracing channel. The fields
 * below the first four are set once it settles, before `asyncStart` and `asyncEnd` are published;
 * `error` (the `TokenError` it failed with, as the tracing channel sets it) and `code` only when it failed.
 */
export interface AcquisitionMessage extends CredentialMessage {
  /** Why it runs. */
  readonly reason: AcquireReason
  /** The kind of the credential's source (`client_credentials`, `chain`, …). */
  readonly source: string
  /** Epoch ms it started, by the manager's clock. */
  readonly startedAt: number
  /** How it got its token, or `failed`. */
  outcome?: AcquisitionOutcome
  /** Source calls it made (0 when a store answered). */
  attempts?: number
  /** Milliseconds it took, by the manager's clock. */
  durationMs?: number
  /** The new token's generation. */
  generation?: number
  /** The new token's scheme (`Bearer`, `DPoP`). */
  tokenType?: string
  /** The new token's lifetime in ms, from its request to its expiry; `undefined` when unknown. */
  lifetimeMs?: number | undefined
  /** The failure's code (`TOKEN_ACQUISITION_FAILED`, …), when it failed. */
  code?: string
  /** The failure, set by the tracing channel when it failed. */
  error?: unknown
}

/** A cached token was served from memory (`tokenwarden:token:served`). */
export interface TokenServedMessage extends CredentialMessage {
  readonly generation: number
  /** Milliseconds until the token expires; `undefined` when its expiry is unknown. */
  readonly remainingMs: number | undefined
  /** Whether it is inside its advisory window (a background refresh is due). */
  readonly stale: boolean
}

/** A new token is in use (`tokenwarden:token:updated`). */
export interface TokenUpdatedMessage extends CredentialMessage {
  /** The acquisition's reason, `stored` (read from the store, or adopted from a peer) or `manual`. */
  readonly reason: UpdateReason
  readonly generation: number
  readonly tokenType: string
  /** The kind of source that produced it. */
  readonly source: string
  /** Its lifetime in ms, from its request to its expiry; `undefined` when unknown. */
  readonly lifetimeMs: number | undefined
}

/** A token was dropped (`tokenwarden:token:invalidated`). */
export interface TokenInvalidatedMessage extends CredentialMessage {
  readonly generation: number
}

/** A background refresh was scheduled (`tokenwarden:refresh:scheduled`). */
export interface RefreshScheduledMessage extends CredentialMessage {
  /** Epoch ms it is due. */
  readonly refreshAt: number
  /** Milliseconds from now. */
  readonly delayMs: number
  /** Whether it is the retry of a background refresh that failed. */
  readonly afterFailure: boolean
}

/**
 * A source call failed (`tokenwarden:refresh:failed`), as the `refresh-failed` event says; a
 * background refresh's failures have reason `proactive`.
 */
export interface RefreshFailedMessage extends CredentialMessage {
  readonly reason: AcquireReason
  /** The attempt that failed, from 1. */
  readonly attempt: number
  /** The error's code: a `TokenError`'s, a system error's (`ECONNREFUSED`), else its class name. */
  readonly code: string
  /** The token endpoint's HTTP status, when it answered. */
  readonly status: number | undefined
  /** The OAuth `error` code it answered (`invalid_grant`, `slow_down`, …), when it did. */
  readonly oauthError: string | undefined
  /** Milliseconds until the next attempt; `undefined` when none will run. */
  readonly retryInMs: number | undefined
}

/** A request is sent again after a 401 or 403 (`tokenwarden:request:retried`). */
export interface RequestRetriedMessage extends CredentialMessage {
  /** `token` (with a new token), `nonce` (with a DPoP proof carrying the server's new nonce) or `scope` (after a scope upgrade). */
  readonly kind: RetryKind
  /** The status that led to it. */
  readonly status: number
}

/** A response challenged the token (`tokenwarden:challenge`), as the `challenge` event says. */
export interface ChallengeMessage extends CredentialMessage {
  readonly status: number
  readonly scheme: string
  readonly error: string | undefined
  readonly action: ChallengeAction
}

/** A coordinating store answered an acquisition (`tokenwarden:store:coordinated`). */
export interface StoreCoordinatedMessage extends CredentialMessage {
  readonly outcome: 'lease-won' | 'lease-waited' | 'adopted'
}

/** The store could not be read or written (`tokenwarden:store:failed`); the token in memory is unaffected. */
export interface StoreFailedMessage extends CredentialMessage {
  /** The error's code, as in {@link RefreshFailedMessage.code}. */
  readonly code: string
}

/** A credential pool made a key's manager (`tokenwarden:pool:created`). */
export interface PoolCreatedMessage {
  readonly pool: string
  /** The manager's name, `<pool>:<key>`. */
  readonly credential: string
}

/**
 * A credential pool dropped a key's manager (`tokenwarden:pool:evicted`): `max` (least recently
 * used), `idle`, `deleted`, or `closed` (the pool was closed).
 */
export interface PoolEvictedMessage {
  readonly pool: string
  readonly credential: string
  readonly reason: 'max' | 'idle' | 'deleted' | 'closed'
}

/** `@tokenwarden/redis`: Redis became unavailable, or answered again (`tokenwarden:redis:availability`). */
export interface RedisAvailabilityMessage {
  readonly available: boolean
  /** The store's key prefix. */
  readonly keyPrefix: string
}
