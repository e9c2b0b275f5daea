import { withAuth } from '@tokenwarden/fetch'
import type { ResourceRecord } from '../host/world-log.ts'
import { checkEqual } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld, withManager } from './world.ts'

/** Redirects are followed with the token only where it may go. */
export const redirectCases: readonly RuntimeCase[] = [
  {
    name: 'a same-origin redirect keeps the token on the next hop',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const target = world.url('a', '/api/landed')
        const response = await withAuth(fetch, manager)(world.url('a', `/redirect?to=${encodeURIComponent(target)}`))
        const landed = (await response.json()) as ResourceRecord
        checkEqual([response.status, response.redirected, landed.path, landed.authorizations], [200, true, '/api/landed', [`Bearer ${world.id}-token-1`]], '[status, redirected, path, authorizations]')
      })
    },
  },
  {
    name: 'a cross-origin redirect drops the token',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const target = world.url('b', '/open/landed')
        const response = await withAuth(fetch, manager)(world.url('a', `/redirect?to=${encodeURIComponent(target)}`))
        const landed = (await response.json()) as ResourceRecord
        checkEqual([response.status, landed.host, landed.authorizations], [200, 'b', []], '[status, host, authorizations]')
        const first = (await world.log()).requests[0]
        checkEqual([first?.path.startsWith('/redirect'), first?.authorizations], [true, [`Bearer ${world.id}-token-1`]], 'the first hop')
      })
    },
  },
  {
    name: 'a 303 after a POST goes on as a GET without the body',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const target = world.url('a', '/api/result')
        const response = await withAuth(fetch, manager)(world.url('a', `/redirect?status=303&to=${encodeURIComponent(target)}`), { method: 'POST', body: 'form=1' })
        const landed = (await response.json()) as ResourceRecord
        checkEqual([landed.method, landed.body, landed.authorizations], ['GET', '', [`Bearer ${world.id}-token-1`]], '[method, body, authorizations]')
      })
    },
  },
]
