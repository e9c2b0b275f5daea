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

/** How often the policy's token cycler tries a failed background refresh again (its `retryIntervalInMs`), ms. */
const CYCLER_RETRY_MS = 3_000

/** A {@link TokenCredential} that also says when the policy's background refresh has stopped failing. */
interface WorldCredential extends TokenCredential {
  /**
   * Resolves at once when the last token request succeeded, else at the next one that does;
   * rejects if none does within three of the cycler's retry intervals.
   */
  recovered(): Promise<void>
}

/**
 * A `TokenCredential` that gets `client_credentials` tokens from the world. Why `recovered`:
 * inside its refresh window (2 minutes before expiry) the policy's token cycler refreshes in the
 * background without awaiting it, tries a failure again every 3 s until the token expires, and then
 * lets the last failure reject with no handler (`refresh()` un-awaited in `createTokenCycler`, seen
 * in 1.25.1): an unhandled rejection, which ends the process. After the IdP outage that refresh is
 * still failing; if the world is closed before it succeeds, it fails until the token expires,
 * and the bench died of it (`ECONNREFUSED`) in a later step. Closing the client waits for it,
 * while the world still answers.
 */
function worldCredential(world: WorldAddress): WorldCredential {
  let failing: { promise: Promise<void>; resolve(): void } | undefined
  return {
    async getToken(_scopes, options) {
      try {
        const answer = await requestToken(world, id, options?.abortSignal as AbortSignal | undefined)
        failing?.resolve()
        failing = undefined
        return { token: answer.accessToken, expiresOnTimestamp: Date.now() + answer.expiresIn * 1000, tokenType: 'Bearer' }
      } catch (error) {
        if (failing === undefined) {
          let resolve = (): void => {}
          failing = { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() }
        }
        throw error
      }
    },
    recovered() {
      const pending = failing
      if (pending === undefined) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const limitMs = 3 * CYCLER_RETRY_MS
        const timer = setTimeout(() => reject(new Error(`${id}: its background token refresh still failed after ${limitMs} ms`)), limitMs)
        void pending.promise.then(() => {
          clearTimeout(timer)
          resolve()
        })
      })
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
    const credential = worldCredential(world)
    const bearer = bearerTokenAuthenticationPolicy({ credential, scopes: 'https://bench/.default' })
    return { ...pipelineClient(world, pools, bearer, {}), close: () => credential.recovered() }
  },
}
