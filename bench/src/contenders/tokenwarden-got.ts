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
  scenarios: new Set(['hot-path', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, authorization) => gotClient(gotInstance(world.resourceOrigin), { authorization }),
  async withAuth(world, scenario) {
    const unregister = registerCredential(world, id, scenario)
    const client = gotClient(withAuth(gotInstance(world.resourceOrigin), id))
    return { send: client.send, close: () => client.close().then(unregister) }
  },
}
