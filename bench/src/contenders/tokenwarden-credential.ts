import { clientCredentials, credentials } from '@tokenwarden/core'
import type { WorldAddress } from '../world/protocol.ts'
import type { Scenario } from './contender.ts'
import type { BoundToken } from './hand-made-proof.ts'

/**
 * Registers credential `name` in the default registry, as a user would: core's `clientCredentials`
 * source against the world's token endpoint (client id `name`), allowed to reach the world's
 * resource server only. In the expiry storm the manager is `prefetch: 'lazy'`: renewing only on use
 * is how a token is still in place, expired, when a burst of requests arrives after a quiet spell
 * (the default schedules a renewal before expiry, and the storm would never happen). In the hot
 * path with DPoP the source is made with `dpop` (a key generated for the credential), `required` so
 * that a token the world issued as Bearer would stop the run instead of being measured as DPoP.
 * @returns a function that deletes the credential.
 */
export function registerCredential(world: WorldAddress, name: string, scenario: Scenario): () => Promise<void> {
  const dpop = scenario === 'hot-path-dpop' ? { required: true } : false
  credentials.register(name, {
    source: clientCredentials({ tokenEndpoint: world.tokenUrl, clientId: name, clientSecret: 'bench', dpop }),
    origins: [world.resourceOrigin],
    prefetch: scenario === 'expiry-storm' ? 'lazy' : 'async',
  })
  return async () => {
    await credentials.delete(name)
  }
}

/** The key and DPoP-bound token of credential `name`, registered for the hot path with DPoP, once it has its token. */
export async function registeredBoundToken(name: string): Promise<BoundToken> {
  const manager = credentials.get(name)
  const token = await manager?.getToken()
  const key = manager?.dpop?.key
  if (token?.tokenType !== 'DPoP' || key === undefined) throw new Error(`credential ${name} has no DPoP-bound token`)
  return { key, accessToken: token.accessToken }
}
