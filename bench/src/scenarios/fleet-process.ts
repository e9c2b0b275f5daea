/**
 * Scenario 7, one pod (see `fleet.ts`): a `TokenManager` for the credential `fleet`, its token from
 * the bench's counting token endpoint, shared with the other pods through a Redis store (or alone,
 * without a store: the honest baseline). Driven over IPC: `{ id, op }` → `{ id, token, ms }`.
 */
import { TokenManager, clientCredentials } from '@tokenwarden/core'
import { redisStore } from '@tokenwarden/redis'
import { createClient } from 'redis'

const [tokenEndpoint, redisUrl, keyPrefix, mode] = process.argv.slice(2) as [string, string, string, 'redis' | 'none']
const client = mode === 'redis' ? createClient({ url: redisUrl, disableOfflineQueue: true }) : undefined
client?.on('error', () => {})
await client?.connect()
const store = client === undefined ? undefined : redisStore({ client, keyPrefix })
const manager = new TokenManager({
  name: 'fleet',
  source: clientCredentials({ tokenEndpoint, clientId: 'fleet', clientSecret: 'fleet-secret' }),
  store,
  prefetch: 'lazy',
})

type Op = 'get' | 'refresh' | 'reject' | 'hot' | 'close'

process.on('message', ({ id, op, count }: { id: number; op: Op; count?: number }) => {
  if (op === 'close') {
    void (async () => {
      await manager.close()
      await store?.close()
      client?.destroy()
      process.disconnect()
    })()
    return
  }
  const started = performance.now()
  const run = async (): Promise<string> => {
    if (op === 'get') return (await manager.getToken()).accessToken
    if (op === 'refresh') return (await manager.refresh()).accessToken
    if (op === 'reject') return (await manager.reacquire(manager.peek() ?? (await manager.getToken()))).accessToken
    let token = ''
    for (let i = 0; i < (count ?? 0); i++) token = (await manager.getToken()).accessToken
    return token
  }
  run().then(
    (token) => process.send?.({ id, token, ms: performance.now() - started }),
    (error: unknown) => process.send?.({ id, error: String((error as { code?: unknown }).code ?? error) }),
  )
})
process.send?.({ id: 0 })
