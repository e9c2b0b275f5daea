export { type AuthFixture, type AuthFixtureOptions, authFixture } from './fixture.ts'
export { type CountingSource, type CountingSourceOptions, countingSource } from './counting-source.ts'
export { resolveLoopbackNames } from './loopback-names.ts'
export { type OidcProvider, clientCredentialsSource, startOidcProvider } from './oidc.ts'
export {
  type Echo,
  type RecordedRequest,
  type ResourceServer,
  type ResourceServerOptions,
  sha256,
  startResourceServer,
} from './resource-server.ts'
export { TestClock } from './test-clock.ts'
export {
  type DpopCheck,
  type DpopError,
  type DpopRecordedRequest,
  type DpopResourceServer,
  type DpopResourceServerOptions,
  type DpopTrustedIssuer,
  accessTokenHash,
  startDpopResourceServer,
} from './dpop-resource-server.ts'
export {
  DPOP_DEFAULT_RESOURCE,
  DPOP_SCOPES,
  type DpopProvider,
  type DpopProviderClient,
  type DpopProviderOptions,
  type TokenRequestRecord,
  startDpopProvider,
} from './oidc-dpop.ts'
