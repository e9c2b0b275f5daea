import { withAuth } from '@tokenwarden/got'
import type { Contender } from './contender.ts'
import { gotClient, gotInstance } from './http-clients.ts'
import { registerCredential } from './tokenwarden-credential.ts'

const id = 'tokenwarden-got'

/** `@tokenwarden/got`: `withAuth(got.extend(…), name)`, against the same instance without it. */
export const tokenwardenGot: Contender = {
  id,
  label: 'tokenwarden + got',
  client: 'got',
  packages: ['@tokenwarden/got', '@tokenwarden/core', 'got'],
  scenarios: new Set(['hot-path', 'hot-path-dpop', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers, pools) => gotClient(gotInstance(world.resourceOrigin, pools.http), headers),
  async withAuth(world, scenario, pools) {
    const unregister = registerCredential(world, id, scenario)
    return { ...gotClient(withAuth(gotInstance(world.resourceOrigin, pools.http), id)), close: unregister }
  },
}
