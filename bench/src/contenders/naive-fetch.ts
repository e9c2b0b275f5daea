import type { Contender } from './contender.ts'
import { fetchClient } from './http-clients.ts'
import { requestToken } from './token-request.ts'

const id = 'naive-fetch'

/**
 * The floor: the wrapper most teams write first. It fetches a token when it has none, sends it,
 * and after a 401 fetches a new one and sends the request once more. No single flight, no expiry.
 */
export const naiveFetch: Contender = {
  id,
  label: 'hand-written fetch wrapper',
  client: 'fetch',
  packages: [],
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers) => fetchClient(fetch, world.resourceOrigin, headers),
  async withAuth(world) {
    let token: string | undefined
    const authFetch = async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
      const send = (t: string) =>
        fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${t}` } })
      token ??= (await requestToken(world, id)).accessToken
      const res = await send(token)
      if (res.status !== 401) return res
      await res.body?.cancel()
      token = (await requestToken(world, id)).accessToken
      return send(token)
    }
    return fetchClient(authFetch, world.resourceOrigin)
  },
}
