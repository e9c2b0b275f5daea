/**
 * `@tokenwarden/core/adapter`: what tokenwarden's adapters and stores are built on. Applications
 * use the main entry, `@tokenwarden/core`; a new adapter for another HTTP client starts here, with
 * {@link RequestAuth} and its per-request {@link AuthRequest}.
 *
 * @packageDocumentation
 */
export { abortable } from './abortable.ts'
export { sleep } from './clock.ts'
export { invalidOption } from './errors.ts'
export { type NormalizeOptions, type NormalizedToken, normalizeGrant, parseScope } from './normalize-grant.ts'
export { OriginPolicy, type OriginPolicyOptions, isLoopbackHost } from './policy/origins.ts'
export { type BufferedBody, bufferBody, isReplayableBody, isStreamBody } from './policy/replay.ts'
export { type AuthPlan, RequestAuth } from './policy/request-auth.ts'
export { AuthRequest, type HeaderLookup, type RequestView, type RetryKind } from './policy/auth-request.ts'
export { type ChallengeContext, type ChallengeDecision, decideChallenge } from './policy/challenge-decision.ts'
export { decodeClaimsChallenge } from './policy/claims.ts'
export { type Challenge, parseWWWAuthenticate } from './policy/www-authenticate.ts'
export { advisoryWindowMs, mandatoryWindowMs } from './refresh-window.ts'
export { parseRetryAfter, retryAfterMs } from './retry-policy.ts'
export { checkGrantParser, parseGrantText } from './sources/parse-grant.ts'
export {
  type IsOurs,
  isRedactedAuthorization,
  redactHeaders,
  redactRequest,
  redactedAuthorization,
} from './adapter-support/redaction.ts'
export { type WaitBounds, waitWithin } from './adapter-support/wait-bounds.ts'
export type { DPoPAlgorithm } from './dpop/dpop-algorithms.ts'
export {
  DPoPKey,
  type DPoPKeyInput,
  type DPoPKeyJSON,
  type DPoPOptions,
  type DPoPPrivateJwk,
  checkDPoPOptions,
} from './dpop/dpop-key.ts'
export { type DPoPBinding, dpopBinding } from './dpop/dpop-binding.ts'
export { DPoPNonces, type DPoPNoncesOptions } from './dpop/dpop-nonces.ts'
export type { DPoPProofInput, DPoPPublicJwk } from './dpop/dpop-proof.ts'
