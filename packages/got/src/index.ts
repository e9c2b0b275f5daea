export { type GotAuthHooks, authHooks } from './auth-hooks.ts'
export { withAuth } from './with-auth.ts'
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
