export { type AuthFixture, type AuthFixtureOptions, authFixture } from './auth-fixture.ts'
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
export { type ListenOptions, type LoopbackServer, listen, readBody, sendJson } from './listen.ts'
export {
  type Echo,
  type RecordedRequest,
  type ResourceServer,
  type ResourceServerOptions,
  sha256,
  startResourceServer,
} from './resource-server.ts'
export { type Script, type ScriptedEndpoint, scriptedEndpoint } from './scripted-endpoint.ts'
