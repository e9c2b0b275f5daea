export {
  type ChallengeInfo,
  type ChallengeOptions,
  type CredentialOptions,
  CredentialRegistry,
  credentials,
  ErrorCode,
  isTokenError,
  type RequestAuthOptions,
  TokenError,
  TokenManager,
  type TokenManagerOptions,
} from '@tokenwarden/core'
export type { FetchLike, FetchResponse } from './fetch-like.ts'
export { withAuth } from './with-auth.ts'
