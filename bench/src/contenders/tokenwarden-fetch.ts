import { withAuth } from '@tokenwarden/fetch'
import type { Contender } from './contender.ts'
import { fetchClient } from './http-clients.ts'
import { registerCredential } from './tokenwarden-credential.ts'

const id = 'tokenwarden-fetch'

/** `@tokenwarden/fetch`: `withAuth(fetch, name)`, against the global `fetch`. */
export const tokenwardenFetch: Contender = {
  id,
  label: 'tokenwarden + fetch',
  client: 'fetch',
  packages: ['@tokenwarden/fetch', '@tokenwarden/core'],
  scenarios: new Set(['hot-path', 'hot-path-dpop', 'expiry-storm', 'revoke-storm', 'idp-outage']),
  handSet: (world, headers) => fetchClient(fetch, world.resourceOrigin, headers),
  async withAuth(world, scenario) {
    const unregister = registerCredential(world, id, scenario)
    return { ...fetchClient(withAuth(fetch, id), world.resourceOrigin), close: unregister }
  },
}
