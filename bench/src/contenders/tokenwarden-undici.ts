import { authInterceptor } from '@tokenwarden/undici'
import type { Contender } from './contender.ts'
import { undiciAgent, undiciClient } from './http-clients.ts'
import { registerCredential } from './tokenwarden-credential.ts'

const id = 'tokenwarden-undici'

/** `@tokenwarden/undici`: `new Agent().compose(authInterceptor(name))`, against the bare `Agent`. */
export const tokenwardenUndici: Contender = {
  id,
  label: 'tokenwarden + undici',
  client: 'undici',
  packages: ['@tokenwarden/undici', '@tokenwarden/core', 'undici'],
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, authorization) => undiciClient(undiciAgent(), world.resourceOrigin, { authorization }),
  async withAuth(world, scenario) {
    const unregister = registerCredential(world, id, scenario)
    const client = undiciClient(undiciAgent().compose(authInterceptor(id)), world.resourceOrigin)
    return { send: client.send, close: () => client.close().then(unregister) }
  },
}
