import type { Contender } from './contender.ts'
import { handMadeProof, requestBoundToken } from './hand-made-proof.ts'
import { undiciClient } from './http-clients.ts'
import { requestToken } from './token-request.ts'

const id = 'control'

/**
 * The hot path's control: undici with a hand-set header on both sides, on the same pool as every
 * contender's two sides. Its ratio should be 1; how far it strays shows how much the machine's
 * noise alone moves a ratio. In the hot path with DPoP both sides make their proofs by hand, each
 * with a key and token of its own.
 */
export const control: Contender = {
  id,
  label: 'control: hand-set vs hand-set',
  client: 'undici',
  packages: ['undici'],
  scenarios: new Set(['hot-path', 'hot-path-dpop']),
  handSet: (world, headers, pools) => undiciClient(pools.undici, world.resourceOrigin, headers),
  async withAuth(world, scenario, pools) {
    if (scenario === 'hot-path-dpop') {
      const bound = await requestBoundToken(world, id)
      return undiciClient(pools.undici, world.resourceOrigin, handMadeProof(world.resourceOrigin, bound))
    }
    const { accessToken } = await requestToken(world, id)
    return undiciClient(pools.undici, world.resourceOrigin, { authorization: `Bearer ${accessToken}` })
  },
}
