/*
 * What an application needs from @tokenwarden/core alongside this adapter, so one install is enough:
 * credentials, managers, sources, stores, errors and their types. Adapter plumbing stays in
 * @tokenwarden/core/adapter.
 */
export {
  type AcquireContext,
  type ChallengeEvent,
  type ChallengeInfo,
  type ChallengeOptions,
  chain,
  clientCredentials,
  type CredentialOptions,
  type CredentialPool,
  credentialPool,
  type CredentialResolver,
  CredentialRegistry,
  credentials,
  env,
  ErrorCode,
  fromFunction,
  isTokenError,
  jwtBearer,
  MemoryStore,
  ReauthorizationRequiredError,
  refreshToken,
  type RequestAuthOptions,
  staticToken,
  Token,
  TokenAcquisitionError,
  TokenError,
  type TokenEvent,
  tokenExchange,
  type TokenGrant,
  TokenManager,
  type TokenManagerOptions,
  TokenPolicyError,
  type TokenSource,
  type TokenStore,
} from '@tokenwarden/core'
export { command, file, FileStore } from '@tokenwarden/core/node'
export { type AxiosAuthInterceptor, authInterceptor } from './auth-interceptor.ts'
export { withAuth } from './with-auth.ts'
