import { POOL_SIZE } from '../contenders/contender.ts'

/** How the figures were produced, for the "How it was measured" section. */
export const methodNotes: readonly string[] = [
  'The world (token endpoint and resource server, each on its own 127.0.0.1 origin, keep-alive on) runs in a child process, so its CPU is not counted against the clients.',
  `Every client sends through keep-alive pools of ${POOL_SIZE} connections: undici \`Agent({ connections })\`, \`http.Agent({ maxSockets })\` for axios, got and Azure, and undici's \`setGlobalDispatcher\` for the global \`fetch\` (used by the fetch wrappers, @badgateway/oauth2-client and gaxios). In the hot path both sides of an A/B share their pools: with a pool each, the control row's two identical sides differed by 18–46% in CPU per request (sequential) in each of five runs.`,
  '@tokenwarden/* are imported from their built `dist/` (default export conditions), as users get them; `npm run bench` builds them first.',
  "tokenwarden's credentials are registered by name in the default registry, with core's `clientCredentials` source (`tokenEndpoint` given, no discovery) and the resource server's origin as their only origin.",
  'Hot path: each contender is compared with its own HTTP client sending a hand-set header; the clients differ, so compare ratios, not req/s, across rows. Azure is measured on its default pipeline (`createPipelineFromOptions`), google-auth-library against a bare `Gaxios`.',
  "Azure's bearer policy refuses non-https URLs: its requests are addressed to https and a last policy (after the Sign phase) turns them back into http on both sides of the A/B.",
  "Expiry storm: all contenders get a token that lives 2 s, wait idle 2.5 s, then each in turn starts its burst; the token endpoint takes 20 ms and now issues 1-hour tokens, so the new token outlives the burst's queue. tokenwarden's managers use `prefetch: 'lazy'` here: with the default, a renewal scheduled before expiry means the token never expires in place. axios-auth-refresh has no notion of expiry and is left out of this scenario and the outage.",
  '401 storm: the world revokes every token, then the burst starts; each request is a POST whose body must come back intact. The world answers `invalid_token` challenges, except to Azure, whose policy retries only Continuous Access Evaluation challenges (`insufficient_claims` with claims): Azure gets those.',
  "IdP outage: tokens live 100 s with `refresh_in: 1` (honoured by tokenwarden), so after 1.2 s every contender's token is inside its renewal window (Azure: 2 min, Google: 5 min by default) and still valid; then the token endpoint answers 503 while each contender sends requests.",
  'google-auth-library is set up with a refresh token (its refresh grant is the only one it can send to a custom `oauth2TokenUrl`) and `forceRefreshOnFailure: true`, without which it does not retry a 401 for a token that has an expiry date.',
  'Storm and outage token calls are counted by the world per `client_id`; retries are the resource requests beyond one per caller request.',
  "Figures of tokenwarden are checked (correctness: exit code 1 when wrong; targets: flagged, and exit code 1 in a full run). Peers' figures are reported, not checked.",
]
