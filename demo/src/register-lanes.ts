import { clientCredentials, credentials } from '@tokenwarden/core'
import { adapters } from './adapters/index.ts'
import { Lane } from './lane.ts'
import type { World } from './world.ts'

/**
 * Registers one credential per adapter (`demo-undici`, `demo-axios`, …), all for the same client,
 * so that each adapter's token requests are counted on their own, and creates its client.
 *
 * Tokens of a few seconds leave the default windows (renew a fifth of the lifetime before expiry,
 * wait from a tenth before) less than a second apart; with the embedded IdP, renewal starts at
 * half the lifetime instead, which gives the outage step room. Real tokens keep the defaults.
 */
export function registerLanes(world: World): Lane[] {
  const origin = new URL(world.url).origin
  const lifetime = world.tokenLifetimeSeconds
  return adapters.map(({ name, create }) => {
    const credential = `demo-${name}`
    const manager = credentials.register(credential, {
      origins: [origin],
      refreshBefore: lifetime === undefined ? undefined : lifetime / 2,
      source: clientCredentials({
        issuer: world.issuer,
        clientId: world.clientId,
        clientSecret: world.clientSecret,
        scope: world.scope,
      }),
    })
    return new Lane(name, create(credential), manager)
  })
}
