import { invalidOption } from '../errors.ts'
import type { Challenge } from './www-authenticate.ts'

/**
 * What a request does after a 401 or 403 challenge:
 * - `nonce`: a DPoP proof carrying the server's new nonce, then sent again (no token request);
 * - `reacquire`: a new token (`invalid_token`, a bare 401), then the request is sent again;
 * - `claims`: a new token acquired with the claims the challenge asked for (CAE), then sent again;
 * - `upgrade-scopes`: the scopes the challenge named are added, then sent again;
 * - `returned`: the response goes to the caller as it is.
 */
export type ChallengeAction = 'nonce' | 'reacquire' | 'claims' | 'upgrade-scopes' | 'returned'

/** A challenge as a user's {@link ChallengeOptions.onChallenge} hook sees it: never a secret. */
export interface ChallengeInfo {
  /** The credential whose token the request carried. */
  readonly credential: string
  /** The response's status: 401 or 403. */
  readonly status: number
  /** The challenge's scheme as sent (`Bearer`, `DPoP`, …). */
  readonly scheme: string
  /** Its `error` parameter, if any. */
  readonly error: string | undefined
  /** Its parameters, names lower-cased. */
  readonly params: Readonly<Record<string, string>>
}

/** How a credential answers authentication challenges; every adapter applies the same rules. */
export interface ChallengeOptions {
  /**
   * After a 403 `insufficient_scope` challenge naming scopes, add them (`upgradeScopes`) and send
   * the request again, once.
   * @default false
   */
  upgradeScopes?: boolean | undefined
  /**
   * Decides a challenge core does not handle itself (another scheme than the token's, an unknown
   * `error`): `'reacquire'` sends the request again with a new token (once per request, and not
   * with `retryOnUnauthorized: false`), `'return'` gives the response to the caller; `undefined`
   * keeps the default (returned). What it throws counts as `'return'`.
   */
  onChallenge?: ((challenge: ChallengeInfo) => 'reacquire' | 'return' | undefined) | undefined
}

/** What core decided for one response, and why. */
export interface ChallengeDecision {
  readonly action: ChallengeAction
  /** The challenge the decision was made on; `undefined` for a 401 that carried none. */
  readonly challenge: Challenge | undefined
  /** The claims to acquire with (JSON text), for `claims`. */
  readonly claims?: string | undefined
  /** The scopes to add, for `upgrade-scopes`. */
  readonly scopes?: readonly string[] | undefined
}

/** The inputs of {@link decideChallenge}. */
export interface ChallengeContext {
  readonly credential: string
  /** The scheme of the token the request carried (`Bearer`, `DPoP`). */
  readonly tokenType: string
  /** Whether 401s may lead to a new token at all (`retryOnUnauthorized`). */
  readonly reacquire: boolean
  /** Whether the response carried a `DPoP-Nonce` other than the one the request's proof carried. */
  readonly freshNonce: boolean
  readonly options: ChallengeOptions
  /** Decodes a `claims` parameter to JSON text; `undefined` when it is not valid. */
  readonly decodeClaims: (value: string) => string | undefined
}

/** Errors a new token cannot answer: the request itself is wrong, or the user must act. */
const NOT_A_TOKEN_PROBLEM: ReadonlySet<string> = new Set(['invalid_request', 'insufficient_user_authentication'])

/**
 * Decides what a 401 or 403 leads to, from its parsed challenges. Simple rules, for the challenge
 * whose scheme is the token's ("ours"):
 * - ours with `use_dpop_nonce` → `nonce` when the response brought a new nonce, else `returned`:
 *   never a token request;
 * - 401 with no challenge, or ours with `invalid_token` or no `error` → `reacquire`;
 * - 401 ours with `insufficient_claims` and claims that decode to JSON → `claims`;
 * - 403 ours with `insufficient_scope` and `scope` → `upgrade-scopes` when the credential allows it;
 * - `insufficient_user_authentication` (RFC 9470 step-up) and `invalid_request` → `returned`;
 * - anything else (only other schemes, or an `error` core does not know) → the user's
 *   `onChallenge`, else `returned`.
 * A 403 without any challenge is not an authentication challenge: `returned`, with no challenge.
 */
export function decideChallenge(status: number, challenges: readonly Challenge[], context: ChallengeContext): ChallengeDecision {
  const scheme = context.tokenType.toLowerCase()
  const ours = challenges.find((challenge) => challenge.scheme.toLowerCase() === scheme)
  const error = ours?.params.error
  if (status === 401 && challenges.length === 0) return context.reacquire ? reacquire(undefined) : returned(undefined)
  if (ours !== undefined && (error === undefined || NOT_A_TOKEN_PROBLEM.has(error))) {
    return status === 401 && error === undefined && context.reacquire ? reacquire(ours) : returned(ours)
  }
  if (ours !== undefined && error === 'use_dpop_nonce') return context.freshNonce ? { action: 'nonce', challenge: ours } : returned(ours)
  if (ours !== undefined && status === 401 && error === 'invalid_token') return context.reacquire ? reacquire(ours) : returned(ours)
  if (ours !== undefined && status === 401 && error === 'insufficient_claims') {
    const claims = ours.params.claims === undefined ? undefined : context.decodeClaims(ours.params.claims)
    return claims !== undefined && context.reacquire ? { action: 'claims', challenge: ours, claims } : returned(ours)
  }
  if (ours !== undefined && status === 403 && error === 'insufficient_scope') {
    const scopes = ours.params.scope?.split(' ').filter((scope) => scope !== '') ?? []
    const allowed = context.options.upgradeScopes === true && scopes.length > 0
    return allowed ? { action: 'upgrade-scopes', challenge: ours, scopes } : returned(ours)
  }
  const other = ours ?? challenges[0]
  if (other === undefined) return returned(undefined)
  return context.reacquire && askUser(status, other, context) === 'reacquire' ? reacquire(other) : returned(other)
}

function reacquire(challenge: Challenge | undefined): ChallengeDecision {
  return { action: 'reacquire', challenge }
}

function returned(challenge: Challenge | undefined): ChallengeDecision {
  return { action: 'returned', challenge }
}

/** The user's decision for a challenge core does not handle; `undefined` when there is no hook or it threw. */
function askUser(status: number, challenge: Challenge, context: ChallengeContext): 'reacquire' | 'return' | undefined {
  const hook = context.options.onChallenge
  if (hook === undefined) return undefined
  try {
    const { scheme, params } = challenge
    return hook({ credential: context.credential, status, scheme, error: params.error, params })
  } catch {
    return undefined
  }
}

/** The options of a credential given none: one frozen object for every manager. */
const NO_CHALLENGE_OPTIONS: ChallengeOptions = Object.freeze({})

/** Checks a `challenges` option (of a credential, or of an adapter); a bad one throws a coded `TypeError` naming it. */
export function checkChallenges(options: unknown, name: string): ChallengeOptions {
  if (options === undefined) return NO_CHALLENGE_OPTIONS
  if (typeof options !== 'object' || options === null) throw invalidOption(name, 'an object')
  const { upgradeScopes, onChallenge } = options as ChallengeOptions
  if (upgradeScopes !== undefined && typeof upgradeScopes !== 'boolean') throw invalidOption(`${name}.upgradeScopes`, 'a boolean')
  if (onChallenge !== undefined && typeof onChallenge !== 'function') throw invalidOption(`${name}.onChallenge`, 'a function')
  return Object.freeze({ upgradeScopes, onChallenge })
}
