import { withAuth } from '@tokenwarden/axios'
import type { Contender } from './contender.ts'
import { axiosClient, axiosInstance } from './http-clients.ts'
import { registerCredential } from './tokenwarden-credential.ts'

const id = 'tokenwarden-axios'

/** `@tokenwarden/axios`: `withAuth(axios.create(…), name)`, against the same instance without it. */
export const tokenwardenAxios: Contender = {
  id,
  label: 'tokenwarden + axios',
  client: 'axios',
  packages: ['@tokenwarden/axios', '@tokenwarden/core', 'axios'],
  scenarios: new Set(['hot-path', 'hot-path-dpop', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers, pools) => axiosClient(axiosInstance(world.resourceOrigin, pools.http), headers),
  async withAuth(world, scenario, pools) {
    const unregister = registerCredential(world, id, scenario)
    return { ...axiosClient(withAuth(axiosInstance(world.resourceOrigin, pools.http), id)), close: unregister }
  },
}
