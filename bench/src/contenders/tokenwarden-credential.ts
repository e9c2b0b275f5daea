import { clientCredentials, credentials } from '@tokenwarden/core'
import type { WorldAddress } from '../world/protocol.ts'
import type { Scenario } from './contender.ts'

/**
 * Registers credential `name` in the default registry, as a user would: core's `clientCredentials`
 * source against the world's token endpoint (client id `name`), allowed to reach the world's
 * resource server only. In the expiry storm the manager is `prefetch: 'lazy'`: renewing only on use
 * is how a token is still in place, expired, when a burst of requests arrives after a quiet spell
 * (the default schedules a renewal before expiry, and the storm would never happen).
 * @returns a function that deletes the credential.
 */
export function registerCredential(world: WorldAddress, name: string, scenario: Scenario): () => Promise<void> {
  credentials.register(name, {
    source: clientCredentials({ tokenEndpoint: world.tokenUrl, clientId: name, clientSecret: 'bench' }),
    origins: [world.resourceOrigin],
    prefetch: scenario === 'expiry-storm' ? 'lazy' : 'async',
  })
  return async () => {
    await credentials.delete(name)
  }
}
