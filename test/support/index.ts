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
