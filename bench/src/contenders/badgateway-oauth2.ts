import { OAuth2Client, OAuth2Fetch } from '@badgateway/oauth2-client'
import type { Contender } from './contender.ts'
import { fetchClient } from './http-clients.ts'

const id = 'badgateway-oauth2'

/**
 * @badgateway/oauth2-client's `OAuth2Fetch`, as its README sets it up for `client_credentials`:
 * an `OAuth2Client` with an explicit `tokenEndpoint` (no discovery) and `getNewToken` calling
 * `client.clientCredentials()`. It sends tokens through the global `fetch`.
 */
export const badgatewayOAuth2: Contender = {
  id,
  label: '@badgateway/oauth2-client',
  client: 'fetch',
  packages: ['@badgateway/oauth2-client'],
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers) => fetchClient(fetch, world.resourceOrigin, headers),
  async withAuth(world) {
    const client = new OAuth2Client({ clientId: id, clientSecret: 'bench', tokenEndpoint: world.tokenUrl })
    const wrapper = new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials() })
    return fetchClient((input, init) => wrapper.fetch(input as RequestInfo, init), world.resourceOrigin)
  },
}
