import type { Contender } from './contender.ts'
import { undiciClient } from './http-clients.ts'
import { requestToken } from './token-request.ts'

const id = 'control'

/**
 * The hot path's control: undici with a hand-set header on both sides, on the same pool as every
 * contender's two sides. Its ratio should be 1; how far it strays shows how much the machine's
 * noise alone moves a ratio.
 */
export const control: Contender = {
  id,
  label: 'control: hand-set vs hand-set',
  client: 'undici',
  packages: ['undici'],
  scenarios: new Set(['hot-path']),
  handSet: (world, authorization, pools) => undiciClient(pools.undici, world.resourceOrigin, { authorization }),
  async withAuth(world, _scenario, pools) {
    const { accessToken } = await requestToken(world, id)
    return undiciClient(pools.undici, world.resourceOrigin, { authorization: `Bearer ${accessToken}` })
  },
}
