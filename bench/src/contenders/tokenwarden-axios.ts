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
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, authorization, pools) => axiosClient(axiosInstance(world.resourceOrigin, pools.http), { authorization }),
  async withAuth(world, scenario, pools) {
    const unregister = registerCredential(world, id, scenario)
    return { ...axiosClient(withAuth(axiosInstance(world.resourceOrigin, pools.http), id)), close: unregister }
  },
}
