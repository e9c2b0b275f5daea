import { withAuth } from '@tokenwarden/fetch'
import { checkEqual } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld, statusesAndTokens, withManager } from './world.ts'

/** A 401 for a token the server no longer takes: one new token, the request sent once more. */
export const reacquireCases: readonly RuntimeCase[] = [
  {
    name: 'a 401 reacquires the token and retries the request once with the new one',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        await manager.getToken()
        await world.revoke()
        const response = await withAuth(fetch, manager)(world.url('a', '/api/echo'))
        checkEqual(response.status, 200, 'status')
        checkEqual(((await response.json()) as { authorizations: string[] }).authorizations, [`Bearer ${world.id}-token-2`], 'echoed authorization')
        const log = await world.log()
        checkEqual(statusesAndTokens(log.requests), [[401, `${world.id}-token-1`], [200, `${world.id}-token-2`]], 'requests')
        checkEqual(log.tokenRequests.length, 2, 'token requests')
      })
    },
  },
  {
    name: '20 concurrent 401s for a revoked token cost one token request, each request retried once',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        await manager.getToken()
        await world.revoke()
        const authFetch = withAuth(fetch, manager)
        const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => authFetch(world.url('a', `/api/echo?i=${i}`))))
        await Promise.all(responses.map((r) => r.body?.cancel()))
        checkEqual([...new Set(responses.map((r) => r.status))], [200], 'statuses')
        const log = await world.log()
        checkEqual(log.tokenRequests.length, 2, 'token requests')
        const counts = (status: number, token: string): number =>
          statusesAndTokens(log.requests).filter(([s, t]) => s === status && t === token).length
        checkEqual([counts(401, `${world.id}-token-1`), counts(200, `${world.id}-token-2`), log.requests.length], [20, 20, 40], '[401s, 200s, requests]')
      })
    },
  },
  {
    name: 'without retryOnUnauthorized the 401 and its challenge reach the caller',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        await manager.getToken()
        await world.revoke()
        const response = await withAuth(fetch, manager, { retryOnUnauthorized: false })(world.url('a', '/api/echo'))
        await response.body?.cancel()
        checkEqual([response.status, response.headers.get('www-authenticate')], [401, 'Bearer realm="runtimes", error="invalid_token"'], '[status, challenge]')
        checkEqual((await world.log()).tokenRequests.length, 1, 'token requests')
      })
    },
  },
]
