import type { ChallengeAction } from './policy/challenge-decision.ts'
import type { AcquireReason } from './source.ts'
import type { Token } from './token.ts'
import { warn } from './runtime/warn.ts'

/** Why a token was published: an acquisition's reason, `stored` (read back from the store) or `manual` (`setToken`). */
export type UpdateReason = AcquireReason | 'stored' | 'manual'

/**
 * What a {@link TokenManager} tells its subscribers:
 * - `updated`: a new token is in use;
 * - `refresh-failed`: an attempt failed; `retryInMs` says when the next one runs, absent when none will;
 * - `invalidated`: the token was dropped (`invalidate`, or a 401 through `reacquire`);
 * - `store-failed`: the store could not be read or written; the token in memory is unaffected;
 * - `skipped`: a request to `origin` went without the token, because the credential may not go
 *   there (once per origin);
 * - `coordinated`: a coordinating store (a fleet's) answered an acquisition; `outcome` says how:
 *   `lease-won` (this process held the fleet's lease, called its source, and its token is the one
 *   stored for every process), `lease-waited` (another process held the lease; this one waited and
 *   adopted the token it stored, without a source call) or `adopted` (a usable token a peer stored
 *   was adopted at once). Not emitted when the store failed (`store-failed` says so);
 * - `challenge`: a response challenged the token (401 or 403 with `WWW-Authenticate`); `action`
 *   says what the request did: `reacquire`, `claims`, `upgrade-scopes`, or `returned` to the caller;
 * - `option-capped`: an option was cut for a token's lifetime (`expirySkew` to a quarter of it);
 *   durations in seconds; once per manager;
 * - `closed`: the manager was closed; no event follows.
 */
export type TokenEvent =
  | { readonly type: 'updated'; readonly credential: string; readonly token: Token; readonly reason: UpdateReason }
  | {
      readonly type: 'refresh-failed'
      readonly credential: string
      readonly error: unknown
      readonly attempt: number
      readonly reason: AcquireReason
      readonly retryInMs: number | undefined
    }
  | { readonly type: 'invalidated'; readonly credential: string; readonly token: Token }
  | { readonly type: 'store-failed'; readonly credential: string; readonly error: unknown }
  | { readonly type: 'skipped'; readonly credential: string; readonly origin: string }
  | {
      readonly type: 'coordinated'
      readonly credential: string
      readonly outcome: 'lease-won' | 'lease-waited' | 'adopted'
    }
  | {
      readonly type: 'option-capped'
      readonly credential: string
      readonly option: 'expirySkew'
      readonly configured: number
      readonly applied: number
      readonly lifetime: number
    }
  | ChallengeEvent
  | { readonly type: 'closed'; readonly credential: string }

/** A response challenged the credential's token; never holds a secret (no claims, no token). */
export interface ChallengeEvent {
  readonly type: 'challenge'
  readonly credential: string
  /** The response's status, 401 or 403. */
  readonly status: number
  /** The challenge's scheme as sent (`Bearer`, `DPoP`, …). */
  readonly scheme: string
  /** Its `error` parameter, if any (`invalid_token`, `insufficient_claims`, …). */
  readonly error: string | undefined
  /** What the request did about it. */
  readonly action: ChallengeAction
}

/** A subscriber; it is called synchronously and its errors are reported as warnings (`TOKENWARDEN_LISTENER_ERROR`: a process warning, or `console.warn` where there is no `process`). */
export type TokenListener = (event: TokenEvent) => void

/**
 * Calls every listener with `event`, in order. A listener that throws is reported as a warning
 * (`TOKENWARDEN_LISTENER_ERROR`, naming the credential and the event's type, never the error's
 * message: a process warning where the runtime has them, else `console.warn`) and the others are
 * still called; reporting never throws.
 */
export function deliver(listeners: Iterable<TokenListener>, event: TokenEvent, credential: string): void {
  for (const listener of listeners) {
    try {
      listener(event)
    } catch (error) {
      warn(`a listener of "${credential}" threw on a ${event.type} event`, {
        code: 'TOKENWARDEN_LISTENER_ERROR',
        detail: error instanceof Error ? error.name : typeof error,
      })
    }
  }
}

/** Counters of a manager's work since it was created. */
export interface TokenManagerStats {
  /** Tokens published (from the source, the store or `setToken`). */
  readonly acquisitions: number
  /** Calls made to the source. */
  readonly attempts: number
  /** Source calls that failed. */
  readonly failures: number
  /** Requests for a token served from memory without waiting. */
  readonly hits: number
  /** Requests for a token that had to wait for an acquisition. */
  readonly waits: number
  /** Calls to `reacquire`. */
  readonly reacquires: number
  /** Background refreshes started inside the advisory window. */
  readonly proactiveRefreshes: number
  /** Tokens dropped by `invalidate` or `reacquire`. */
  readonly invalidations: number
  /** Store reads or writes that failed. */
  readonly storeFailures: number
  /**
   * Tokens another process stored that this manager adopted, without calling its source (a
   * coordinating store): after waiting for its lease, at once, or when the store reported them.
   */
  readonly adopted: number
  /** Acquisitions in which this process held the fleet's lease and its token became the fleet's (`lease-won`). */
  readonly leasesWon: number
  /** Acquisitions that waited for another process's lease and adopted its token (`lease-waited`). */
  readonly leasesWaited: number
}

/** A manager's counters as it moves them: {@link TokenManagerStats} with every field writable. */
export type Counters = { -readonly [K in keyof TokenManagerStats]: number }

/** A new manager's counters, all 0. */
export function zeroStats(): Counters {
  return {
    acquisitions: 0,
    attempts: 0,
    failures: 0,
    hits: 0,
    waits: 0,
    reacquires: 0,
    proactiveRefreshes: 0,
    invalidations: 0,
    storeFailures: 0,
    adopted: 0,
    leasesWon: 0,
    leasesWaited: 0,
  }
}
