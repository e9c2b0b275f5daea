import { withAuth } from '@tokenwarden/fetch'
import type { ResourceRecord } from '../host/world-log.ts'
import { checkEqual } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld, withManager } from './world.ts'

/** The token goes only to the credential's origins, and never over the caller's own authentication. */
export const originCases: readonly RuntimeCase[] = [
  {
    name: 'a request to another origin goes untouched and fetches no token',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const response = await withAuth(fetch, manager)(world.url('b', '/open/echo'))
        checkEqual(((await response.json()) as ResourceRecord).authorizations, [], 'authorizations at origin b')
        checkEqual((await world.log()).tokenRequests.length, 0, 'token requests')
      })
    },
  },
  {
    name: "the caller's own Authorization is sent as it is, and no token is fetched",
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const response = await withAuth(fetch, manager)(world.url('a', '/open/echo'), { headers: { Authorization: 'Basic b3duOm93bg==' } })
        checkEqual(((await response.json()) as ResourceRecord).authorizations, ['Basic b3duOm93bg=='], 'authorizations')
        checkEqual((await world.log()).tokenRequests.length, 0, 'token requests')
      })
    },
  },
  {
    name: "the adapter's origins option replaces the credential's",
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const authFetch = withAuth(fetch, manager, { origins: [hosts.b] })
        const [toA, toB] = await Promise.all([authFetch(world.url('a', '/open/echo')), authFetch(world.url('b', '/open/echo'))])
        const seen = [(await toA.json()) as ResourceRecord, (await toB.json()) as ResourceRecord].map((r) => r.authorizations)
        checkEqual(seen, [[], [`Bearer ${world.id}-token-1`]], 'authorizations at [a, b]')
      })
    },
  },
]
