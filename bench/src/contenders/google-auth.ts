import { OAuth2Client, gaxios } from 'google-auth-library'
import type { BenchRequest, Client, Contender, HandSetHeaders } from './contender.ts'
import { headersOf } from './http-clients.ts'

const id = 'google-auth'

function gaxiosOptions(origin: string, request: BenchRequest, extra: HandSetHeaders): gaxios.GaxiosOptions {
  return {
    url: `${origin}${request.path}`,
    method: request.method,
    headers: headersOf(request, extra),
    data: request.method === 'POST' ? request.body : undefined,
    responseType: 'text',
  }
}

function gaxiosClient(
  send: (options: gaxios.GaxiosOptions) => Promise<{ status: number; data: unknown }>,
  origin: string,
  extra: HandSetHeaders,
): Client {
  return {
    async send(request) {
      try {
        const res = await send(gaxiosOptions(origin, request, extra))
        return { status: res.status, body: String(res.data) }
      } catch (error) {
        if (error instanceof gaxios.GaxiosError && error.response !== undefined) return { status: error.response.status, body: '' }
        throw error
      }
    },
    close: async () => {},
  }
}

/**
 * google-auth-library's `OAuth2Client`, as its docs set up a user credential: `setCredentials` with a
 * refresh token, `endpoints.oauth2TokenUrl` pointing at the world (the refresh grant is the only one
 * it sends), `forceRefreshOnFailure` so that a 401 refreshes and retries once, and `request()` to
 * send. It is measured against a bare `Gaxios`, its transport, with the header set by hand.
 */
export const googleAuth: Contender = {
  id,
  label: 'google-auth-library',
  client: 'gaxios (fetch)',
  packages: ['google-auth-library'],
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet(world, headers) {
    const transport = new gaxios.Gaxios()
    return gaxiosClient((options) => transport.request(options), world.resourceOrigin, headers)
  },
  async withAuth(world) {
    const client = new OAuth2Client({
      clientId: id,
      clientSecret: 'bench',
      endpoints: { oauth2TokenUrl: world.tokenUrl },
      forceRefreshOnFailure: true,
    })
    client.setCredentials({ refresh_token: 'bench-refresh-token' })
    return gaxiosClient((options) => client.request(options), world.resourceOrigin, {})
  },
}
