import { TokenManager, fromFunction } from '@tokenwarden/core'
import { withAuth } from '@tokenwarden/fetch'
import { checkEqual } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld, statusesAndTokens, withManager } from './world.ts'

/** One acquisition at a time, whoever asks: callers share the one in flight. */
export const singleFlightCases: readonly RuntimeCase[] = [
  {
    name: '100 concurrent getToken calls share one source call',
    run: async () => {
      let calls = 0
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const source = fromFunction(async () => {
        calls += 1
        await gate
        return { accessToken: `shared-${calls}`, expiresIn: 3600 }
      })
      const manager = new TokenManager({ name: 'single-flight', source, prefetch: 'lazy' })
      try {
        const waiting = Array.from({ length: 100 }, () => manager.getToken())
        release()
        const tokens = await Promise.all(waiting)
        checkEqual(calls, 1, 'source calls')
        checkEqual([...new Set(tokens.map((t) => t.accessToken))], ['shared-1'], 'distinct tokens')
      } finally {
        await manager.close()
      }
    },
  },
  {
    name: '50 concurrent requests through a fresh credential cost one token request',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      await withManager(world, async (manager) => {
        const authFetch = withAuth(fetch, manager)
        const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => authFetch(world.url('a', `/api/echo?i=${i}`))))
        await Promise.all(responses.map((r) => r.body?.cancel()))
        checkEqual([...new Set(responses.map((r) => r.status))], [200], 'statuses')
        const log = await world.log()
        checkEqual(log.tokenRequests.length, 1, 'token requests')
        checkEqual(new Set(statusesAndTokens(log.requests).map(String)).size, 1, 'distinct [status, token] pairs')
        checkEqual(statusesAndTokens(log.requests)[0], [200, `${world.id}-token-1`], 'first request')
      })
    },
  },
]
