import { authInterceptor } from '@tokenwarden/undici'
import type { Contender } from './contender.ts'
import { undiciClient } from './http-clients.ts'
import { registerCredential } from './tokenwarden-credential.ts'

const id = 'tokenwarden-undici'

/** `@tokenwarden/undici`: `new Agent().compose(authInterceptor(name))`, against the bare `Agent`. */
export const tokenwardenUndici: Contender = {
  id,
  label: 'tokenwarden + undici',
  client: 'undici',
  packages: ['@tokenwarden/undici', '@tokenwarden/core', 'undici'],
  scenarios: new Set(['hot-path', 'hot-path-dpop', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers, pools) => undiciClient(pools.undici, world.resourceOrigin, headers),
  async withAuth(world, scenario, pools) {
    const unregister = registerCredential(world, id, scenario)
    return { ...undiciClient(pools.undici.compose(authInterceptor(id)), world.resourceOrigin), close: unregister }
  },
}
