import type { TokenCredential } from '@azure/core-auth'
import {
  type PipelinePolicy,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline'
import type { WorldAddress } from '../world/protocol.ts'
import type { Client, Contender, HandSetHeaders } from './contender.ts'
import { headersOf } from './http-clients.ts'
import type { Pools } from './pools.ts'
import { requestToken } from './token-request.ts'

const id = 'azure-pipeline'

/**
 * The bearer policy refuses non-https URLs, and the world speaks plain http on loopback: requests
 * are addressed to `https://127.0.0.1:…`, and this policy, added after every phase (so after the
 * bearer policy), turns them back into http just before the HTTP client sends them (again on every
 * resend, which reuses the request). Both sides of the A/B carry it.
 */
const loopbackHttp: PipelinePolicy = {
  name: 'benchLoopbackHttp',
  sendRequest(request, next) {
    if (request.url.startsWith('https:')) request.url = `http:${request.url.slice(6)}`
    request.allowInsecureConnection = true
    return next(request)
  },
}

/** A `TokenCredential` that gets `client_credentials` tokens from the world. */
function worldCredential(world: WorldAddress): TokenCredential {
  return {
    async getToken(_scopes, options) {
      const answer = await requestToken(world, id, options?.abortSignal as AbortSignal | undefined)
      return { token: answer.accessToken, expiresOnTimestamp: Date.now() + answer.expiresIn * 1000, tokenType: 'Bearer' }
    },
  }
}

/** The default pipeline on `pools.http`, with `policy` (if any), as a bench client. */
function pipelineClient(
  world: WorldAddress,
  pools: Pools,
  policy: PipelinePolicy | undefined,
  extra: HandSetHeaders,
): Client {
  const pipeline = createPipelineFromOptions({ agent: pools.http })
  if (policy !== undefined) pipeline.addPolicy(policy)
  pipeline.addPolicy(loopbackHttp, { afterPhase: 'Sign' })
  const httpClient = createDefaultHttpClient()
  const origin = `https${world.resourceOrigin.slice(4)}`
  return {
    async send(request) {
      const res = await pipeline.sendRequest(
        httpClient,
        createPipelineRequest({
          url: `${origin}${request.path}`,
          method: request.method,
          headers: createHttpHeaders(headersOf(request, extra)),
          body: request.method === 'POST' ? request.body : undefined,
        }),
      )
      return { status: res.status, body: res.bodyAsText ?? '' }
    },
    close: async () => {},
  }
}

/**
 * @azure/core-rest-pipeline: the default pipeline (`createPipelineFromOptions`) with
 * `bearerTokenAuthenticationPolicy`, as Azure SDK clients use it, against the same pipeline without
 * the policy. Its 401 handling retries only Continuous Access Evaluation challenges
 * (`insufficient_claims`), so the revoke storm sends it those.
 */
export const azurePipeline: Contender = {
  id,
  label: '@azure/core-rest-pipeline',
  client: 'node:http',
  packages: ['@azure/core-rest-pipeline', '@azure/core-auth'],
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  revokeChallenge: 'cae',
  handSet: (world, headers, pools) => pipelineClient(world, pools, undefined, headers),
  async withAuth(world, _scenario, pools) {
    const bearer = bearerTokenAuthenticationPolicy({ credential: worldCredential(world), scopes: 'https://bench/.default' })
    return pipelineClient(world, pools, bearer, {})
  },
}
