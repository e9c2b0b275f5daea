import { createAuthRefresh } from 'axios-auth-refresh'
import type { Contender } from './contender.ts'
import { axiosClient, axiosInstance } from './http-clients.ts'
import { requestToken } from './token-request.ts'

const id = 'axios-auth-refresh'

/**
 * axios-auth-refresh as its README sets it up: a request interceptor that reads the current token,
 * and `createAuthRefresh` (v5's name for `createAuthRefreshInterceptor`) with a refresh function
 * that fetches a new token and sets it on the failed request. It knows nothing of expiry, so it
 * takes part in the hot path and the revoke storm only.
 */
export const axiosAuthRefresh: Contender = {
  id,
  label: 'axios-auth-refresh',
  client: 'axios',
  packages: ['axios-auth-refresh', 'axios'],
  scenarios: new Set(['hot-path', 'revoke-storm']),
  handSet: (world, headers, pools) => axiosClient(axiosInstance(world.resourceOrigin, pools.http), headers),
  async withAuth(world, _scenario, pools) {
    const instance = axiosInstance(world.resourceOrigin, pools.http)
    let token = (await requestToken(world, id)).accessToken
    // axios-auth-refresh's types name axios's CommonJS declarations; the instance is the same object.
    createAuthRefresh(instance as unknown as Parameters<typeof createAuthRefresh>[0], async (failedRequest) => {
      token = (await requestToken(world, id)).accessToken
      failedRequest.response.config.headers.Authorization = `Bearer ${token}`
    })
    instance.interceptors.request.use((request) => {
      request.headers.Authorization = `Bearer ${token}`
      return request
    })
    return axiosClient(instance)
  },
}
