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
export { type UndiciAuthOptions, authInterceptor } from './auth-interceptor.ts'
