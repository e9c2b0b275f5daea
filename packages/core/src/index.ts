export { type Clock, type TimerHandle, systemClock } from './clock.ts'
export { type CredentialOptions, CredentialRegistry, credentials } from './credential-registry.ts'
export {
  ErrorCode,
  type ErrorCodeValue,
  type InvalidOptionError,
  ReauthorizationRequiredError,
  TokenAcquisitionError,
  TokenError,
  type TokenErrorOptions,
  TokenPolicyError,
  isTokenError,
} from './errors.ts'
export { failureDefaults } from './failure-gate.ts'
export { type ClientCredentialsOptions, clientCredentials } from './oauth/client-credentials.ts'
export type { DPoPAlgorithm } from './dpop/dpop-algorithms.ts'
export type { DPoPKeyInput, DPoPOptions, DPoPPrivateJwk } from './dpop/dpop-key.ts'
export { EndpointCause } from './oauth/endpoint-cause.ts'
export { endpointQueueDefaults, setTokenEndpointConcurrency, tokenEndpointConcurrency } from './oauth/endpoint-queue.ts'
export { JWT_BEARER_GRANT_TYPE, type JwtBearerOptions, jwtBearer } from './oauth/jwt-bearer.ts'
export {
  type ClientAuthMethod,
  type OAuthClientOptions,
  type StringProvider,
  type TokenRequestParams,
  oauthDefaults,
} from './oauth/oauth-options.ts'
export { type RefreshTokenOptions, refreshToken } from './oauth/refresh-token.ts'
export { TokenEndpointError, type TokenEndpointErrorOptions } from './oauth/token-endpoint-error.ts'
export { TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchangeOptions, TokenTypes, tokenExchange } from './oauth/token-exchange.ts'
export type { ChallengeAction, ChallengeInfo, ChallengeOptions } from './policy/challenge-decision.ts'
export type { Credential, CredentialResolver, RequestAuthOptions, RequestInfo } from './policy/request-auth.ts'
export { CredentialPool, type CredentialPoolStats, credentialPool } from './pool/credential-pool.ts'
export type { CredentialPoolOptions, CredentialTemplate, PooledCredentialOptions } from './pool/pool-options.ts'
export { refreshDefaults } from './refresh-window.ts'
export { defaultRetryDelay, isTransientError, retryDefaults } from './retry-policy.ts'
export type { AcquireContext, AcquireReason, TokenGrant, TokenSource } from './source.ts'
export { ChainExhaustedError, type ChainFailure, chain } from './sources/chain.ts'
export { type EnvOptions, env } from './sources/env.ts'
export { type FromFunctionOptions, fromFunction } from './sources/from-function.ts'
export type { GrantParser } from './sources/parse-grant.ts'
export { staticToken } from './sources/static-token.ts'
export { MemoryStore } from './stores/memory-store.ts'
export {
  type CoordinatingStore,
  type Coordinated,
  type CoordinationRequest,
  type TokenStore,
  isCoordinatingStore,
} from './stores/token-store.ts'
export { Token, type TokenInit, type TokenRecord } from './token.ts'
export type { ChallengeEvent, TokenEvent, TokenListener, TokenManagerStats, UpdateReason } from './token-events.ts'
export { TokenManager } from './token-manager.ts'
export {
  type Prefetch,
  type ReacquireOptions,
  type TokenManagerOptions,
  type WaitOptions,
  managerDefaults,
} from './token-manager-options.ts'
