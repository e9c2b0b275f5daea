/*
 * What an application needs from @tokenwarden/core alongside this adapter, so one install is enough:
 * credentials, managers, sources, stores, errors and their types. Only the universal part: this
 * package runs in Node, Bun, Deno, workerd and browsers, so the Node-only parts (FileStore, the file
 * and command sources) stay in @tokenwarden/core/node. Adapter plumbing stays in
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
export type { FetchLike, FetchResponse } from './fetch-like.ts'
export { browserDefaults } from './browser-fetch.ts'
export { type FetchAuthOptions, withAuth } from './with-auth.ts'
